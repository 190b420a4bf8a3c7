## Тексты бота на русском языке. Этот файл можно править: после перезапуска бот
## возьмёт новые формулировки. Фигурные скобки { $name } — подстановки, их не трогайте.
## Разметка: <b>жирный</b>, <i>курсив</i>, <a href="…">ссылка</a>.

## Главное меню (кнопки)
menu-find-book = 🔎 Найти книгу
menu-my-books = 📚 Мои книги
menu-events = 📅 Мероприятия
menu-consultation = 💬 Консультация
menu-subscriptions = 🔔 Подписки
menu-about = ℹ️ О библиотеке
menu-staff = 🛠 Для сотрудников
menu-back = ⬅️ В меню
menu-placeholder = Выберите пункт меню или напишите вопрос

## Приветствие и помощь
start-welcome =
    Здравствуйте! Это бот «{ $library }».
    Здесь можно узнать, есть ли книга в библиотеке, продлить книги, записаться на мероприятие и получить консультацию для НКО.
menu-prompt = Чем могу помочь? Выберите пункт меню 👇
help-text =
    <b>Что умеет бот</b>
    🔎 <b>Найти книгу</b> — есть ли книга и в каком филиале
    📚 <b>Мои книги</b> — ваши книги и продление
    📅 <b>Мероприятия</b> — афиша и запись
    💬 <b>Консультация</b> — вопрос юристу, бухгалтеру, эксперту по грантам
    🔔 <b>Подписки</b> — новости библиотеки
    ℹ️ <b>О библиотеке</b> — адреса, телефоны, часы работы

    Или просто напишите вопрос своими словами: «когда вы работаете в субботу?», «хочу продлить книгу». Если готового ответа нет, передам вопрос библиотекарю (/ask).

    Команды: /menu — меню, /help — эта справка, /language — язык, /link — связать мессенджеры (Telegram, ВКонтакте, MAX), /forget — удалить мои данные.

## О библиотеке
about-title = <b>{ $library }</b>
about-branch =
    <b>{ $name }</b>{ $open ->
        [open] {" "}— сейчас открыто
        [closed] {" "}— сейчас закрыто
       *[unknown] {""}
    }
    { $address }
    🕘 { $hours }
about-branch-phone = ☎️ { $phone }
about-branch-note = ℹ️ { $note }
about-contacts = <b>Контакты</b>
about-phone = Телефон: { $phone }
about-email = Почта: { $email }
about-website = Сайт: { $website }
about-language = 🌐 Язык / Language
about-vk = ВКонтакте: { $vk }
about-no-branches = Адреса и часы работы библиотека пока не указала.
hours-closed = выходной
hours-all-closed = часы работы уточняйте по телефону
day-mon = Пн
day-tue = Вт
day-wed = Ср
day-thu = Чт
day-fri = Пт
day-sat = Сб
day-sun = Вс

## Согласие на обработку персональных данных (152-ФЗ)
consent-request =
    Чтобы записывать вас на мероприятия, продлевать книги и отвечать на обращения, нам нужно ваше согласие на обработку персональных данных (имя, телефон, e-mail, организация, читательский билет) по закону № 152-ФЗ.
    Оператор: { $operator }.{ $policy ->
        [none] {""}
       *[other] {" "}Политика обработки: { $policy }
    }
    Без согласия можно искать книги и смотреть информацию о библиотеке.
consent-accept = ✅ Согласен(на)
consent-refuse = Не сейчас
consent-given = Спасибо! Согласие записано. Отозвать его можно командой /forget.
consent-refused = Хорошо, ваши данные мы не сохраняем. Поиск книг и информация о библиотеке доступны.
consent-needed = Для этого раздела нужно согласие на обработку персональных данных.

## Удаление данных
forget-confirm = Удалить все ваши данные в боте? Уйдут согласие, имя, контакты и история диалога.{ $details }
    Обезличенная статистика обращений останется.
forget-yes = 🗑 Да, удалить
forget-no = Отмена
forget-done = Готово: ваши данные удалены. Если напишете снова, бот начнёт с чистого листа.
forget-cancelled = Хорошо, ничего не удаляем.

## Язык
language-choose = Выберите язык / Choose a language:
language-set = Язык: русский.
language-ru = Русский
language-en = English

## Служебное
stale-button = Кнопка устарела. Вот меню:
error-apology = Извините, что-то пошло не так. Мы уже разбираемся. Попробуйте ещё раз или выберите пункт меню.
throttled = Пожалуйста, не так быстро 🙂 Подождите несколько секунд и напишите снова.
too-long = Сообщение слишком длинное ({ $length } знаков). Напишите, пожалуйста, короче — до { $limit } знаков.
not-text = Я понимаю текст и кнопки. Выберите пункт меню или напишите вопрос словами.
unknown-command = Такой команды нет. Вот что я умею:
staff-only = Этот раздел только для сотрудников библиотеки.
admin-only = Это действие доступно только администраторам бота.
my-id = Ваш идентификатор в боте: <code>{ $id }</code>
    Сообщите его администратору, если вас нужно назначить сотрудником или экспертом.
text-truncated = …(сообщение сокращено)

## Роли
role-staff = сотрудник
role-expert = эксперт
role-admin = администратор

## Раздел для сотрудников
staff-menu = <b>Для сотрудников</b>
staff-today = 📊 Сегодня
staff-roles = 👥 Сотрудники и эксперты
staff-today-title = <b>Обращения за сегодня ({ $date })</b>
staff-today-line = { $kind }: { $count }
staff-today-empty = Сегодня обращений ещё не было.

## Назначение ролей (администраторы)
roles-title = <b>Сотрудники и эксперты</b>
roles-line = • { $name } — { $role }
roles-empty = Пока никто не назначен.
roles-add-staff = ➕ Назначить сотрудника
roles-add-expert = ➕ Назначить эксперта
roles-revoke = Снять: { $name } ({ $role })
roles-ask-id = Пришлите идентификатор человека (его можно узнать командой /myid), например <code>telegram:123456789</code> или просто число.
roles-bad-id = Не похоже на идентификатор. Пример: <code>telegram:123456789</code>. Или нажмите «Отмена».
roles-unknown-person = Такого человека бот ещё не видел. Попросите его написать боту /start и пришлите идентификатор снова.
roles-granted = Готово: { $name } — { $role }.
roles-already = У { $name } уже есть роль «{ $role }».
roles-revoked = Роль «{ $role }» снята: { $name }.
roles-not-held = У { $name } нет роли «{ $role }».
roles-cancel = Отмена
roles-cancelled = Назначение отменено.
roles-you-got = Вам назначена роль «{ $role }» в боте библиотеки. Раздел «Для сотрудников» появился в меню.
roles-you-lost = Роль «{ $role }» в боте библиотеки снята.
notify-role-granted = 👥 { $admin } назначил(а) { $name }: { $role }
notify-role-revoked = 👥 { $admin } снял(а) с { $name } роль «{ $role }»

## Виды обращений (для статистики)
kind-message = Сообщения
kind-button = Нажатия кнопок
kind-menu = Меню и справка
kind-library_info = Справки о библиотеке
kind-catalogue_query = Справки по каталогу
kind-loan_enquiry = Справки о книгах на формуляре
kind-reader_link = Привязки читательских билетов
kind-renewal = Продления
kind-consultation = Консультации
kind-project_expertise = Экспертизы проектных заявок
kind-event_registration = Записи на мероприятия
kind-training_event = Обучающие мероприятия
kind-public_event = Публичные мероприятия
kind-service_promotion = Рассылки и информирование
kind-consent = Согласия на обработку данных
kind-data_erasure = Удаления данных
kind-role_change = Назначения ролей
kind-staff_action = Действия сотрудников
kind-throttled = Слишком частые сообщения
kind-error = Сбои

## Команды в меню Telegram
cmd-start = Начать и показать меню
cmd-menu = Главное меню
cmd-help = Что умеет бот
cmd-language = Сменить язык
cmd-myid = Мой идентификатор
cmd-forget = Удалить мои данные
cmd-staff = Раздел для сотрудников

## Каталог
catalogue-prompt =
    Напишите название, автора или ISBN — я поищу в каталоге.
    Например: <i>Мастер и Маргарита</i>, <i>Улицкая</i>, <i>978-5-17-090630-7</i>
catalogue-found = { $total ->
        [one] Нашлась { $total } книга
        [few] Нашлось { $total } книги
       *[many] Нашлось { $total } книг
    } по запросу «{ $query }»{ $shown ->
        [all] :
       *[other] . Первые { $shown }:
    }
catalogue-found-many = Нашлось больше { $total } книг по запросу «{ $query }» — уточните запрос: добавьте автора или ещё слово из названия. Первые:
catalogue-suggestion = Возможно, вы искали: «{ $suggestion }»
catalogue-hit = { $number }. { $title }{ $authors ->
        [none] {""}
       *[other] {" "}— { $authors }
    }{ $year ->
        [none] {""}
       *[other] {" "}({ $year })
    }
catalogue-nothing = По запросу «{ $query }» в каталоге ничего не нашлось. Попробуйте написать иначе — например, только фамилию автора или одно слово из названия.
catalogue-more = Ещё ▶
catalogue-page = Ещё по запросу «{ $query }» ({ $from }–{ $to } из { $total }):
catalogue-page-gone = Этот список устарел — напишите запрос ещё раз.
catalogue-suggest-button = 📝 Оставить заявку на книгу
catalogue-suggest-done = Спасибо! Заявку на «{ $query }» передали сотрудникам — они учтут её при комплектовании.
catalogue-record-gone = Этой книги в каталоге больше нет. Попробуйте поискать ещё раз.
catalogue-card-title = <b>{ $title }</b>
catalogue-card-authors = { $authors }
catalogue-card-imprint = { $details }
catalogue-card-isbn = ISBN { $isbn }
catalogue-no-copies = Экземпляров для выдачи сейчас нет.
catalogue-branch = • <b>{ $branch }</b> — { $state }
catalogue-on-shelf = { $available } из { $total } на полке
catalogue-none-on-shelf = на полке нет
catalogue-call-number = шифр { $call }
catalogue-status-on_loan = { $count ->
        [one] { $count } выдана
       *[other] { $count } выданы
    }{ $due ->
        [none] {""}
       *[other] , вернут к { $due }
    }
catalogue-status-reserved = { $count } забронировано
catalogue-status-in_transit = { $count } в пути
catalogue-status-reading_room = { $count } только в читальном зале
catalogue-status-unavailable = { $count } временно не выдаётся
catalogue-watch-button = 🔔 Сообщить, когда вернут
catalogue-hold-button = 📌 Забронировать
catalogue-watch-done = Хорошо! Напишу, как только «{ $title }» вернут на полку. Передумаете — ожидание можно снять в «Мои книги».
catalogue-watch-already = Вы уже ждёте «{ $title }» — напишу, как только книгу вернут.
catalogue-call-us = Заявку записали, но передать её сотрудникам сразу не получилось. Чтобы не ждать, позвоните нам{ $phone ->
        [none] .
       *[other] : { $phone }.
    }
catalogue-returned = 📚 «{ $title }» снова на полке: { $where }. Приходите!
notify-purchase-request = 📝 Заявка на комплектование: «{ $query }» (нет в каталоге)
kind-subscription = Подписки и отписки

## Подписки
subs-title = <b>Подписки</b>
    Выберите, о чём вам сообщать. Нажмите ещё раз, чтобы отписаться.
subs-offer = Хотите получать новости библиотеки? Выберите темы — или просто пропустите.
subs-on = ✅ { $topic }
subs-off = ▫️ { $topic }
subs-branches = { $topic }: выберите филиалы
subs-any-branch = Все филиалы
subs-branch-button = 🏛 { $topic }: филиалы ▶
subs-subscribed = Подписка оформлена: { $topic }
subs-unsubscribed = Вы отписались: { $topic }
subs-stop-button = 🔕 Отписаться от всего
subs-stopped = Вы отписаны от всех рассылок. Вернуться можно в разделе «Подписки».
    Подскажите, почему вы отписались?
subs-not-subscribed = У вас нет подписок. Оформить их можно в разделе «Подписки».
subs-reason-often = Слишком часто
subs-reason-boring = Неинтересно
subs-reason-other = Другая причина
subs-reason-thanks = Спасибо, учтём!
subs-back = ⬅️ К подпискам
cmd-stop = Отписаться от рассылок

## Рассылки
broadcast-report = 📣 Рассылка №{ $id } «{ $text }» завершена: доставлено { $sent } из { $total }; заблокировали бота: { $blocked }; не доставлено: { $failed } ({ $reasons }); судьба неизвестна: { $unknown }; заняла { $minutes } мин.
staff-compose = 📣 Новая рассылка
staff-scheduled = 🗓 Запланированные рассылки
compose-ask-text = Пришлите текст объявления — можно фото с подписью. Жирный, курсив и ссылки сохранятся.
compose-empty = Нужен текст или фото с подписью. Пришлите ещё раз или нажмите «Отменить».
compose-too-long = Слишком длинно: { $length } знаков, можно до { $limit }. Сократите, пожалуйста.
compose-ask-audience = Кому отправить?
compose-everyone = Всем, кто писал боту
compose-topic-branch = { $topic } — { $branch }
compose-all-branches = Все филиалы
compose-ask-branch = Подписчикам какого филиала?
compose-add-link = 🔗 Добавить кнопку-ссылку
compose-add-signup = 📅 Добавить кнопку «Записаться»
compose-ask-link = Пришлите кнопку так: <code>Текст | https://адрес</code> — или просто ссылку.
compose-link-default = Подробнее
compose-bad-link = Не получилось: нужна ссылка, начинающаяся с https://, и текст до { $limit } знаков. Например: <code>Положение о конкурсе | https://library.example/grant</code>
compose-ask-signup = На какое мероприятие записывать?
compose-event-gone = Это мероприятие уже отменено или прошло — выберите другое.
compose-signup-label = 📅 Записаться
compose-edit = ✏️ Изменить №{ $id }
compose-ask-edit = Пришлите новый текст рассылки №{ $id }.
compose-edited = Текст рассылки №{ $id } изменён.
compose-not-editable = Рассылку №{ $id } уже нельзя изменить: она началась или отменена.
compose-nko = НКО — всем, кто указал организацию
compose-event-list = Записавшимся на мероприятие…
compose-ask-event = Записавшимся на какое мероприятие? (и тем, кто в листе ожидания)
compose-no-events = Предстоящих мероприятий нет — выберите других получателей или отмените.
compose-event-audience = записавшиеся на «{ $title }»
compose-ask-when = Когда отправить? Или напишите дату и время, например <code>25.12 18:00</code>.
compose-now = Сейчас
compose-now-urgent = Сейчас, срочно (и в тихие часы)
compose-tomorrow = Завтра в 10:00
compose-bad-time = Не понял время. Напишите, например, <code>25.12 18:00</code> или <code>25.12.2026 18:00</code>.
compose-past-time = Это время уже прошло. Напишите время в будущем.
compose-preview = Так увидят объявление подписчики (сообщение выше).
    Кому: { $audience }
    Когда: { $when }{ $urgent ->
        [yes] {" "}(срочно)
       *[no] {""}
    }
compose-confirm = ✅ Запланировать
compose-cancel = ✖️ Отменить
compose-cancelled = Черновик рассылки удалён.
compose-scheduled = Рассылка №{ $id } запланирована на { $when }. Отменить её можно в «Запланированные рассылки», пока она не началась.
compose-none-scheduled = Запланированных и недавних рассылок нет.
compose-list-line = №{ $id } — { $when } — { $audience }: { $text }
compose-drop = Отменить №{ $id }
compose-dropped = Рассылка №{ $id } отменена.
compose-not-droppable = Рассылку №{ $id } уже нельзя отменить: она началась или отменена.
compose-draft-gone = Черновик устарел — начните рассылку заново.

## Мои книги: привязка читательского билета
loans-none-system = Посмотреть и продлить книги в боте в нашей библиотеке пока нельзя. Продлить можно по телефону{ $phone ->
        [none] {" "}или в библиотеке.
       *[other] : { $phone }.
    }
loans-need-consent = Чтобы показать ваши книги, боту нужно ваше согласие на обработку данных.
loans-ask-ticket = Чтобы видеть свои книги и продлевать их, привяжите читательский билет. Введите <b>номер билета</b> — он напечатан на билете.
loans-bad-ticket = Это не похоже на номер билета. Номер — это цифры (иногда с буквами), например 100234; он напечатан на билете. Попробуйте ещё раз.
loans-ask-password = Введите <b>пароль (PIN)</b> от личного кабинета библиотеки — или одноразовый код, если его выдали в библиотеке. Сообщение с паролем я сразу удалю.
loans-ask-identity = Введите <b>фамилию и год рождения</b> читателя, например: <i>Иванова 1985</i> — или одноразовый код, если его выдали в библиотеке.
loans-ask-code = Введите <b>код из библиотеки</b> — его выдают на кафедре выдачи. Код одноразовый.
loans-bad-identity = Напишите фамилию и год рождения через пробел, например: <i>Иванова 1985</i> — или код из библиотеки.
loans-send-text = Пожалуйста, напишите ответ текстом.
loans-checking = Проверяю…
loans-wrong = Номер билета или { $what ->
        [password] пароль
        [identity] фамилия и год рождения
       *[code] код
    } не подходят. { $left ->
        [one] Осталась { $left } попытка.
        [few] Осталось { $left } попытки.
       *[many] Осталось { $left } попыток.
    } Введите номер билета ещё раз.
loans-locked = Слишком много неудачных попыток. Привязать билет можно будет после { $until }. Если забыли пароль, обратитесь в библиотеку{ $phone ->
        [none] .
       *[other] : { $phone }.
    }
loans-system-down = Библиотечная система сейчас не отвечает. Ничего не изменилось — попробуйте через несколько минут{ $phone ->
        [none] .
       *[other] {" "}или позвоните: { $phone }.
    }
loans-linked = Готово: билет № { $ticket } привязан{ $name ->
        [none] .
       *[other] {" "}({ $name }).
    } Я напомню о сроке возврата за несколько дней.
loans-cancel = Отмена

## Мои книги: список и продление
loans-title = <b>Ваши книги</b> (билет № { $ticket }):
loans-empty = Сейчас за вами книг не числится.
loans-line = { $number }. «{ $title }» — вернуть до <b>{ $due }</b>{ $overdue ->
        [yes] {" "}⚠️ срок прошёл
       *[no] {""}
    }{ $renewals ->
        [none] {""}
       *[other] , продлений: { $renewals }
    }
loans-line-refusal = {"   "}продлить нельзя: { $reason }
loans-holds-title = <b>Ждут вас в библиотеке:</b>
loans-hold-line = • «{ $title }»{ $branch ->
        [none] {""}
       *[other] {" "}— { $branch }
    }{ $until ->
        [none] {""}
       *[other] , заберите до { $until }
    }
loans-holds-coming = <b>Ваши заказы в пути и в очереди:</b> { $count }
loans-renew-button = 🔄 Продлить: { $title }
loans-renew-all-button = 🔄 Продлить все
loans-reminders-on-button = 🔔 Напоминания: вкл.
loans-reminders-off-button = 🔕 Напоминания: выкл.
loans-unlink-button = Отвязать билет
loans-refresh-button = Обновить
loans-reminders-now-on = Буду напоминать о сроках возврата.
loans-reminders-now-off = Напоминания о сроках выключены.
loans-stale = Список изменился — вот актуальный.
loans-not-yours = Эта книга за вами не числится.
loans-already-renewed = Уже продлено: «{ $title }» — до { $due }.
loans-need-link = Сначала привяжите читательский билет в разделе «Мои книги».
loans-unlink-confirm = Отвязать билет № { $ticket } от этого аккаунта? Напоминания о сроках приходить перестанут.
loans-unlink-yes = Да, отвязать
loans-unlink-no = Нет
loans-unlinked = Билет отвязан. Привязать снова можно в разделе «Мои книги».
loans-result-title = <b>Продление</b>
loans-result-renewed = ✅ «{ $title }» — продлено до <b>{ $due }</b>
loans-result-refused = ❌ «{ $title }» — нельзя: { $reason }
loans-result-unavailable = ⏸ «{ $title }» — библиотечная система не ответила, ничего не изменилось. Попробуйте позже.
loans-result-unconfirmed = ❓ «{ $title }» — ответ системы не пришёл, продление не подтверждено. Повторно не продлеваю: проверьте срок в «Мои книги» позже или в библиотеке.
loans-nothing-to-renew = Продлевать нечего: { $reason }

## Причины, по которым нельзя продлить
refusal-too_many = продления исчерпаны
refusal-reserved = книгу ждёт другой читатель
refusal-overdue = срок прошёл слишком давно — верните книгу в библиотеку
refusal-debts = на билете есть задолженность
refusal-blocked = читательский билет заблокирован — обратитесь в библиотеку
refusal-too_soon = продлить можно будет { $from ->
        [none] ближе к сроку возврата
       *[other] с { $from }
    }
refusal-at_desk = книгу нужно показать библиотекарю
refusal-not_on_loan = книга уже не числится за вами
refusal-rules = не продлевается по правилам библиотеки

## Напоминания
reminder-before = 📚 Через { $days ->
        [one] { $days } день
        [few] { $days } дня
       *[many] { $days } дней
    } ({ $due }) срок возврата «{ $title }».
reminder-due-today = 📚 Сегодня последний день: верните «{ $title }» или продлите.
reminder-overdue = ⚠️ Срок возврата «{ $title }» прошёл { $due }. Верните книгу или продлите, если можно.
reminder-can-renew = Продлить можно прямо здесь.
reminder-cannot-renew = Продлить нельзя: { $reason }.
reminder-hold-ready = 📌 Ваш заказ ждёт вас: «{ $title }»{ $branch ->
        [none] {""}
       *[other] {" "}— { $branch }
    }{ $until ->
        [none] .
       *[other] . Заберите до { $until }.
    }
reminder-my-books = 📚 Мои книги

## Сотрудникам: привязка билетов
staff-desk-code = 🔑 Код для привязки билета
staff-unlink = ✂️ Отвязать билет
staff-ask-ticket-code = Введите номер читательского билета — я выдам одноразовый код для привязки.
staff-ask-ticket-unlink = Введите номер билета, который нужно отвязать от бота.
staff-desk-code-done = Код для билета № { $ticket }: <b>{ $code }</b>. Действует { $hours } ч. Читатель вводит его в разделе «Мои книги» после номера билета.
staff-desk-code-unknown = Билет № { $ticket } не найден в библиотечной системе.
staff-unlink-done = Билет № { $ticket } отвязан: { $count ->
        [one] { $count } аккаунт
        [few] { $count } аккаунта
       *[many] { $count } аккаунтов
    }.
staff-unlink-none = К билету № { $ticket } никто не привязан.
loans-unlinked-by-staff = Сотрудник библиотеки по вашей просьбе отвязал читательский билет от бота.

## Мероприятия
event-kind-meetup = Встреча НКО
event-kind-training = Обучающее мероприятие
event-kind-public = Публичное мероприятие
event-kind-consultation_day = День консультаций
event-kind-other = Другое
events-none = Ближайших мероприятий пока нет. Подпишитесь на «Афишу мероприятий» в разделе «Подписки» — напишу, когда появятся.
events-title = <b>Ближайшие мероприятия</b> ({ $total }):
events-line = { $number }. { $when } — <b>{ $title }</b> · { $seats }
events-more = Ещё
events-filter-button = 🔎 Фильтр
events-mine-button = 🗓 Мои записи
events-list-button = ⬅️ К списку
events-all-button = Все мероприятия
events-filter-title = Какие мероприятия показать?
events-seats-unlimited = места есть
events-seats-left = свободно { $left } из { $total }
events-seats-none = мест нет{ $waitlist ->
        [yes] , можно в лист ожидания
       *[no] {""}
    }
events-card-title = <b>{ $title }</b>
events-card-kind = { $kind }
events-card-when = 🗓 { $when }
events-card-where = 📍 { $branch }{ $room ->
        [none] {""}
       *[other] , { $room }
    }
events-gone = Этого мероприятия больше нет в афише.
events-register-button = ✅ Записаться
events-waitlist-button = ⏳ В лист ожидания
events-cancel-button = Отменить запись
events-registration-closed = Запись на это мероприятие закрыта.
events-you-registered = ✅ Вы записаны.
events-you-wait = ⏳ Вы в листе ожидания: { $position }-й.
events-you-offered = 🔔 Для вас освободилось место — подтвердите его.
events-mine-none = У вас нет записей на ближайшие мероприятия.
events-mine-title = <b>Ваши записи:</b>
events-mine-line = • { $when } — { $title }: { $state }
events-need-consent = Чтобы записать вас, боту нужно ваше согласие на обработку данных.
events-already = Вы уже записаны на «{ $title }».
events-ask-name = Запись на «{ $title }». Как вас зовут? Напишите имя и фамилию.
events-ask-org = Какую организацию (НКО) вы представляете?
events-ask-contact = Телефон или e-mail для связи?
events-ask-question = { $question }{ $required ->
        [yes] {""}
       *[no] {" "}(можно пропустить)
    }
events-same-button = ✔️ { $value }
events-private-button = Частное лицо
events-private-value = частное лицо
events-skip-button = Пропустить
events-abort-button = Отменить запись на мероприятие
events-aborted = Хорошо, не записываю. Вернуться к афише можно из меню.
events-bad-name = Напишите, пожалуйста, имя и фамилию (от 2 до 200 символов).
events-bad-org = Напишите название организации или нажмите «Частное лицо».
events-bad-contact = Не похоже на телефон или e-mail. Например: +7 900 123-45-67 или name@mail.ru
events-bad-answer = Ответ должен быть не длиннее 1000 символов.
events-send-text = Пожалуйста, ответьте текстом.
events-form-gone = Эта кнопка уже не действует.
events-refused-gone = Этого мероприятия больше нет в афише.
events-refused-not_open = Запись ещё не открыта.
events-refused-closed = Запись уже закрыта.
events-refused-full = Мест больше нет.
events-registered = ✅ Вы записаны!
events-waitlisted = ⏳ Мест нет, вы в листе ожидания: { $position }-й. Если место освободится, я напишу.
events-details = <b>{ $title }</b>
    🗓 { $when }
    📍 { $branch }{ $room ->
        [none] {""}
       *[other] , { $room }
    }
events-cancel-confirm = Отменить запись? Место перейдёт следующему в листе ожидания.
events-cancel-yes = Да, отменить
events-cancel-no = Нет
events-cancelled = Запись отменена.
events-not-yours = Эта запись не ваша или уже отменена.
events-offer = 🔔 Освободилось место на «{ $title }» ({ $when })! Подтвердите до { $until }, иначе место перейдёт следующему.
events-offer-yes = ✅ Приду
events-offer-no = Не смогу
events-offer-gone = Время подтверждения вышло, или место уже занято.
events-reminder-24h = 🔔 Напоминаем: { $day ->
        [today] сегодня
       *[tomorrow] завтра
    } «{ $title }», { $when }. 📍 { $branch }{ $room ->
        [none] {""}
       *[other] , { $room }
    }. Если не получится прийти — нажмите кнопку, место перейдёт другому.
events-reminder-2h = 🔔 Скоро начнётся «{ $title }», { $when }. 📍 { $branch }{ $room ->
        [none] {""}
       *[other] , { $room }
    }. Ждём вас!
events-cant-come = Не смогу прийти
events-ics-caption = Добавьте в календарь, чтобы не забыть.
events-ticket-caption = 🎟 Ваш билет на «{ $title }»{ $name ->
        [none] {""}
       *[other] {" "}— { $name }
    }. Покажите его на входе.
events-ticket-not-staff = Это билет участника мероприятия: покажите его сотруднику на входе.
events-ticket-unknown = Билет не найден или запись отменена.
events-ticket-ok = ✅ { $name ->
        [none] Участник
       *[other] { $name }
    } отмечен(а) на «{ $title }».
events-ticket-again = Уже отмечен(а): { $name ->
        [none] участник
       *[other] { $name }
    }, «{ $title }».

## Сотрудникам: мероприятия
staff-events = 🗓 Мероприятия и участники
staff-events-title = Ближайшие мероприятия — выберите:
staff-event-card = <b>{ $title }</b>
    🗓 { $when } · { $status }
    Записано: { $confirmed } из { $seats }
    Лист ожидания: { $waiting }, ждут подтверждения: { $offered }
    Отменили: { $cancelled }
    Пришли: { $attended }
staff-event-status-scheduled = по плану
staff-event-status-cancelled = отменено
staff-event-people = ✅ Отметить пришедших
staff-event-people-title = Участники «{ $title }». Нажмите на имя, чтобы отметить (ещё раз — снять отметку):
staff-event-xlsx = 📊 Список XLSX
staff-event-csv = 📄 Список CSV
staff-event-exported = Список участников «{ $title }»: { $count }.
staff-event-message = ✉️ Написать всем записавшимся
staff-event-ask-message = Напишите сообщение — его получат все записавшиеся и стоящие в листе ожидания.
staff-event-message-to-people = ✉️ Сообщение о мероприятии «{ $title }»:
staff-event-message-sent = Сообщение поставлено в отправку: { $count } получателей.
staff-event-cancel = ❌ Отменить мероприятие
staff-event-cancel-confirm = Отменить мероприятие? Все записавшиеся получат уведомление.
staff-event-cancel-yes = Да, отменить мероприятие
staff-event-cancelled = Мероприятие «{ $title }» отменено. Уведомления отправляются: { $count }.
events-cancelled-by-library = ❌ Мероприятие «{ $title }» ({ $when }) отменено. Извините за неудобство — следите за афишей в разделе «Мероприятия».
staff-event-new = ➕ Новое мероприятие
staff-event-add = ➕ Добавить участника вручную
staff-event-move = 🕑 Перенести
staff-new-title = Название мероприятия?
staff-new-bad-title = Название — от 3 до 200 символов.
staff-new-kind = Какой это вид мероприятия?
staff-new-when = Когда начало? Время библиотеки. Например: { $short }, { $long } или «в пятницу в 18».
staff-new-bad-when = Не понял «{ $text }». Напишите дату и время, например: { $short }, { $long } или «завтра в 18».
staff-new-branch = Где проходит?
staff-new-no-branch = Вне филиалов
staff-new-seats = Сколько мест? Напишите число или нажмите «Без ограничения».
staff-new-unlimited = Без ограничения
staff-new-bad-seats = Напишите число мест, например 65.
staff-new-description = Описание для афиши (или «Пропустить»):
staff-new-open = Открыть мероприятие
staff-new-done = ✅ Мероприятие «{ $title }» ({ $when }) создано и уже в афише. Ссылка для публикации: { $link }
staff-move-ask = Новая дата и время начала? Например: { $short }, { $long } или «в пятницу в 18». Все записавшиеся получат уведомление.
staff-add-ask = Напишите участника через запятую: имя, организация, телефон или e-mail (достаточно имени).
staff-add-bad = Нужно хотя бы имя (от 2 символов).
staff-added = ✅ { $name } записан(а).
staff-added-waiting = { $name } в листе ожидания: { $position }-й.
staff-moved = Мероприятие «{ $title }» перенесено на { $when }. Уведомления отправляются: { $count }.
events-moved = 🕑 Мероприятие «{ $title }» перенесено: было { $was }, теперь { $now }. Если не сможете прийти в новое время — отмените запись в разделе «Мероприятия» → «Мои записи».
staff-event-edit = ✏️ Изменить
staff-edit-what = Что изменить?
staff-edit-title = Название
staff-edit-description = Описание
staff-edit-seats = Число мест
staff-edit-questions = Вопросы при записи
staff-edit-photo = Фото для афиши
staff-edit-ask-title = Новое название?
staff-edit-ask-description = Новое описание для афиши?
staff-edit-ask-seats = Сколько мест теперь? Число или «без ограничения». Если мест станет больше, их предложат стоящим в листе ожидания.
staff-edit-ask-questions = Вопросы через «;», обязательный — со звёздочкой в конце. Например: Тема встречи?*; Нужен ли пандус?
staff-edit-ask-photo = Пришлите фото для афиши.
staff-edit-send-photo = Пришлите, пожалуйста, фото.
staff-edit-send-text = Пришлите, пожалуйста, текст.
staff-edit-bad-questions = Не больше 10 вопросов, через «;».
staff-edit-seats-too-few = Уже записано { $taken } — мест не может быть меньше. Отмените лишние записи или оставьте как есть.
staff-edit-done = ✅ Сохранено.

## Консультации: заявитель
menu-expert = 📨 Обращения ко мне
staff-requests = 📨 Обращения (консультации)
rq-topics = 💬 <b>Консультации</b> для НКО и жителей: юрист, бухгалтер, эксперт по грантам и другие специалисты.
    Выберите тему — сначала покажу ответы на частые вопросы.
rq-faq-title = <b>{ $topic }</b>. Частые вопросы — возможно, ответ уже есть:
rq-faq-answer = <b>{ $question }</b>

    { $answer }
rq-faq-back = ⬅️ К частым вопросам
rq-ask = ✍️ Задать вопрос специалисту
rq-other-topics = Другие темы
rq-need-consent = Чтобы передать вопрос специалисту, нам нужно ваше согласие на обработку персональных данных.
rq-ask-question = Тема: <b>{ $topic }</b>.
    Опишите ваш вопрос одним сообщением. Можно приложить документы или фото — до { $files } файлов, до { $mb } МБ каждый.
rq-ask-name = Как к вам обращаться? Напишите имя и фамилию.
rq-ask-org = Какую организацию (НКО) вы представляете?
rq-ask-contact = Как с вами связаться? Ответ придёт сюда, в чат. Если удобнее по телефону или e-mail — напишите его.
rq-ask-when = Когда с вами удобно связаться? Выберите или напишите своими словами.
rq-when-any = В любое время
rq-when-morning = Утром
rq-when-day = Днём
rq-when-evening = Вечером
rq-same = ✔️ { $value }
rq-private = Частное лицо
rq-private-value = частное лицо
rq-in-chat = 💬 Ответить здесь, в чате
rq-abort = Отменить обращение
rq-aborted = Хорошо, обращение не отправлено. Вернуться можно из меню «Консультация».
rq-bad-question = Опишите вопрос чуть подробнее — хотя бы несколько слов.
rq-question-too-long = Слишком длинное сообщение: уложитесь, пожалуйста, в { $limit } знаков или приложите текст файлом.
rq-bad-name = Напишите, пожалуйста, имя (от 2 до 200 знаков).
rq-bad-org = Напишите название организации (до 300 знаков) или нажмите «Частное лицо».
rq-bad-contact = Не похоже на телефон или e-mail. Напишите, например, +7 900 123-45-67 или name@mail.ru — или нажмите «Ответить здесь, в чате».
rq-bad-when = Напишите коротко (до 200 знаков) или выберите вариант.
rq-send-text = Пожалуйста, напишите текстом или пришлите документ или фото.
rq-now-question = Теперь напишите сам вопрос.
rq-file-added = 📎 Файл добавлен (всего: { $count }).
rq-too-many-files = Можно приложить не больше { $files } файлов. Остальное опишите словами или пришлите позже через «Мои обращения».
rq-file-too-big = Файл больше { $mb } МБ — такой не передать. Пришлите файл поменьше или ссылку на него.
rq-form-expired = Эта форма уже закрыта. Начните заново из меню «Консультация».
rq-topic-gone = Эта тема больше не принимается. Выберите другую в меню «Консультация».
rq-received = ✅ Обращение <b>№ { $number }</b> принято.
    Тема: { $topic }.
    Специалист ответит до { $until }. Ответ придёт сюда; следить за ним можно в «Мои обращения».
rq-closed-now = Сейчас мы не работаем — обращение посмотрят после { $opens }.
rq-mine = 📨 Мои обращения
rq-new = ✍️ Новое обращение
rq-mine-title = <b>Ваши обращения</b> — выберите, чтобы посмотреть ответы:
rq-mine-empty = У вас пока нет обращений.
rq-mine-line = № { $number } · { $status } · { $topic }
rq-open-request = Обращение № { $number }
rq-not-found = Обращение не найдено.
rq-card-title = <b>Обращение № { $number }</b> · { $topic }
rq-card-status = Статус: { $status }
rq-card-received = Отправлено: { $at }
rq-card-meeting = 📅 Встреча:
rq-status-new = новое
rq-status-in_progress = в работе
rq-status-forwarded = передано эксперту
rq-status-awaiting = ждёт вашего ответа
rq-status-resolved = решено
rq-status-rejected = отклонено
rq-status-withdrawn = отозвано
rq-author-you = Вы
rq-author-requester = Заявитель
rq-author-staff = Сотрудник
rq-author-expert = Эксперт
rq-author-bot = Бот
rq-anonymous = (данные удалены)
rq-contact-in-chat = в чате с ботом
rq-line-status = { $at } — { $status }
rq-line-message = { $at } — <b>{ $who }</b>: { $text }
rq-line-file = { $at } — 📎 { $name }
rq-line-appointment = { $at } — 📅 { $what }
rq-appointment-offered = предложено время встречи
rq-appointment-chosen = время встречи выбрано
rq-appointment-declined = предложенное время не подошло
rq-file = файл
rq-file-erased = файл удалён
rq-erased = (удалено)
rq-thread-earlier = …
rq-add = ✍️ Дополнить
rq-withdraw = Отозвать
rq-solved = ✅ Вопрос решён
rq-cancel = Отмена
rq-add-prompt = Что добавить к обращению № { $number }? Напишите или пришлите документ или фото.
rq-added = Добавлено к обращению № { $number }. Специалист увидит.
rq-already-closed = Это обращение уже закрыто. Если вопрос остался — задайте новый в меню «Консультация».
rq-withdraw-confirm = Отозвать обращение № { $number }? Специалисты больше не будут над ним работать.
rq-withdraw-yes = Да, отозвать
rq-withdraw-no = Нет
rq-withdrawn = Обращение № { $number } отозвано.
rq-solved-thanks = Рады, что вопрос № { $number } решён!{ $rate ->
        [no] {""}
       *[yes] {" "}Оцените, пожалуйста, помощь от 1 до 5:
    }
rq-rate-comment = Спасибо за оценку { $rating }! Хотите что-то добавить? Напишите одним сообщением.
rq-no-comment = Без комментария
rq-thanks = Спасибо! Это помогает нам работать лучше.
rq-rated-already = Оценка уже сохранена, спасибо!
rq-rate-not-yet = Оценить можно, когда обращение закрыто.
rq-answer = 💬 <b>Ответ по обращению № { $number }</b> ({ $topic }):

    { $text }
rq-closed = Обращение <b>№ { $number }</b> закрыто: { $status ->
        [rejected] отклонено
       *[other] вопрос решён
    }.{ $result ->
        [none] {""}
       *[other] {" "}Итог: { $result }.
    }{ $rate ->
        [no] {""}
       *[yes] {"\u000A"}Оцените, пожалуйста, помощь от 1 до 5.
    }
rq-slots-offered = 📅 По обращению № { $number } предлагаем встретиться{ $place ->
        [none] {""}
       *[other] {" "}({ $place })
    }. Выберите удобное время:
rq-slot = { $at }{ $place ->
        [none] {""}
       *[other] , { $place }
    }
rq-slot-chosen = {" "}✔️
rq-slot-button = 📅 { $at }
rq-no-slot = Ни одно время не подходит
rq-no-slot-sent = Передали специалисту — он предложит другое время.
rq-slots-gone = Это время уже недоступно. Откройте обращение — там актуальные варианты.
rq-slot-agreed = ✅ Встреча по обращению № { $number }: { $at }{ $place ->
        [none] {""}
       *[other] , { $place }
    }. Напомню заранее.
rq-meeting-reminder-requester = ⏰ Напоминание: встреча по обращению № { $number } ({ $topic }) — { $at }{ $place ->
        [none] {""}
       *[other] , { $place }
    }.
rq-meeting-reminder-specialist = ⏰ Встреча с заявителем по обращению № { $number } ({ $topic }) — { $at }{ $place ->
        [none] {""}
       *[other] , { $place }
    }.

## Консультации: сотрудники и эксперты
desk-new = 📨 <b>Новое обращение</b>
desk-unclaimed = ⏰ <b>Обращение № { $number } никто не взял</b> — заявитель ждёт ответа.
desk-for-expert = 📨 <b>Вам передано обращение</b> — ответьте заявителю через кнопку «Ответить».
desk-details-added = ✍️ Заявитель дополнил обращение № { $number }: { $text }
desk-withdrawn = ↩️ Заявитель отозвал обращение № { $number }.
desk-solved = ✅ Заявитель подтвердил: вопрос № { $number } решён.
desk-no-slot = 📅 По обращению № { $number } заявителю не подошло ни одно время — предложите другое.
desk-slot-chosen = 📅 Заявитель выбрал время встречи по обращению № { $number }: { $at }.
desk-given-back = ↩️ Эксперт вернул обращение № { $number } — передайте другому специалисту.
desk-card-title = <b>Обращение № { $number }</b> · { $topic }
desk-card-status = Статус: { $status }
desk-card-from = От: { $name }{ $organisation ->
        [none] {""}
       *[other] , { $organisation }
    }
desk-card-contact = Связь: { $contact }{ $time ->
        [none] {""}
       *[other] ; удобно: { $time }
    }
desk-card-received = Получено: { $at }
desk-card-responsible = Ответственный: { $name }
desk-card-expert = Эксперт: { $name }
desk-card-result = Итог: { $result }
desk-card-rating = Оценка заявителя: { $rating } из 5
desk-card-files = 📎 Вложений: { $count }
desk-take = 🙋 Взять
desk-forward = 👩‍⚖️ Передать эксперту
desk-reply = 💬 Ответить
desk-meet = 📅 Назначить встречу
desk-close = ✅ Закрыть
desk-give-back = ↩️ Вернуть сотрудникам
desk-thread = 📜 Переписка
desk-note = 🔒 Заметка
desk-files = 📎 Вложения
desk-cancel = Отмена
desk-cancelled = Отменено.
desk-skip = Пропустить
desk-took = Обращение № { $number } теперь ваше.
desk-gave-back = Обращение № { $number } возвращено сотрудникам.
desk-taken-by = Это обращение уже взял(а) { $name }.
desk-already-closed = Обращение уже закрыто.
desk-not-found = Обращение не найдено.
desk-not-now = Сейчас это сделать нельзя — обновите карточку обращения.
desk-not-yours = Это обращение передано другому специалисту.
desk-expert-gone = Этого эксперта больше нет в справочнике.
desk-open-private = Продолжим в личном чате: откройте чат с ботом, нажмите /start и повторите.
desk-reply-prompt = Напишите ответ заявителю по обращению № { $number } одним сообщением. Он придёт заявителю в его мессенджер.
desk-note-prompt = Напишите заметку к обращению № { $number }. Заявитель её не увидит.
desk-meet-prompt = Предложите время встречи по обращению № { $number }: каждый вариант с новой строки, например
    25.11 15:00, Центральная библиотека, каб. 5
    26.11 11:00, онлайн
    (до 5 вариантов; место — после запятой, можно не указывать)
desk-meet-bad = Не понял время в строке «{ $line }». Напишите, например: 25.11 15:00 — время должно быть в будущем, не больше 5 вариантов.
desk-meet-sent = Варианты времени отправлены заявителю по обращению № { $number }.
desk-close-how = Чем закончилось обращение № { $number }?
desk-close-resolved = ✅ Решено
desk-close-rejected = ⛔ Отклонено
desk-result-prompt = Коротко — итог для реестра по обращению № { $number } (заявитель тоже его увидит). Если нечего добавить, отправьте «-».
desk-closed = Обращение № { $number } закрыто, заявителю сообщили.
desk-answer-sent = Ответ по обращению № { $number } отправлен заявителю.
desk-answer-kept = Ответ по обращению № { $number } сохранён, но заявитель удалил свои данные — доставить его некуда.
desk-note-saved = Заметка к обращению № { $number } сохранена.
desk-text-size = Нужен текст до { $limit } знаков.
desk-send-text = Пожалуйста, напишите текстом.
desk-thread-title = <b>Переписка по обращению № { $number }</b>
desk-line-status = { $at } — { $status } ({ $who }{ $to ->
        [none] {""}
       *[other] {" "}→ { $to }
    })
desk-line-note = { $at } — 🔒 <b>{ $who }</b>: { $text }
desk-choose-expert = Кому передать обращение № { $number } ({ $topic })? ★ — эксперты по этой теме.
desk-no-experts = В справочнике пока нет экспертов. Добавьте: «Для сотрудников» → «Обращения» → «Эксперты».
desk-forwarded-short = Передано: { $name }
desk-forwarded-bot = Обращение № { $number } передано: { $name }. Эксперт получил его в боте.
desk-forwarded-contact = Обращение № { $number } передано: { $name }. Эксперт не пользуется ботом — свяжитесь с ним{ $contact ->
        [none] {""}
       *[other] {" "}({ $contact })
    } и внесите его ответ через «Ответить».
desk-file-elsewhere = 📎 { $name } — прислан через { $platform }, открыть его можно только там.
desk-file-of = Вложение к обращению № { $number }
desk-no-files = Вложений нет.
desk-list-title = <b>Открытые обращения</b>: { $count }. Новые — первыми.
desk-list-empty = Открытых обращений нет.
desk-list-line = № { $number } · { $status } · { $topic }
desk-list-all = Все открытые
desk-list-mine = Мои
desk-experts = 👩‍⚖️ Эксперты
desk-faq = ❓ Частые вопросы
desk-register = 📊 Реестр запросов (XLSX)
desk-register-title = Реестр запросов с { $start } по { $end }
desk-register-caption = Реестр запросов за квартал: { $count } строк.
desk-experts-title = <b>Эксперты</b>
desk-experts-empty = Пока никого. Добавьте первого эксперта.
desk-expert-line = • <b>{ $name }</b> — { $topics }{ $organisation ->
        [none] {""}
       *[other] ; { $organisation }
    }{ $contact ->
        [none] {""}
       *[other] ; { $contact }
    }{ $bot ->
        [yes] {" "}(в боте)
       *[no] {""}
    }
desk-expert-drop = 🗑 { $name }
desk-expert-add = ➕ Добавить эксперта
desk-expert-dropped = Эксперт убран из справочника (в прежних обращениях он остаётся).
desk-expert-ask-name = Имя и фамилия эксперта?
desk-expert-ask-topics = Какие темы он ведёт? Напишите номера через запятую или «все»:
    { $topics }
desk-expert-ask-organisation = Организация эксперта? («-» — пропустить)
desk-expert-ask-contact = Контакт эксперта (телефон или e-mail)? («-» — пропустить)
desk-expert-ask-messenger = Если эксперт пользуется ботом — его id в мессенджере (он может узнать его командой /myid). Иначе «-».
desk-expert-bad-name = Напишите имя (от 2 до 200 знаков).
desk-expert-bad-topics = Не понял темы. Напишите номера из списка через запятую, например «1, 3», или «все».
desk-expert-bad-id = Такой человек ещё не писал боту. Попросите его нажать /start — или отправьте «-».
desk-expert-added = Эксперт { $name } добавлен{ $bot ->
        [yes] {" "}и будет получать обращения в боте
       *[no] {""}
    }.
desk-faq-title = <b>Частые вопросы</b> — выберите тему:
desk-faq-topic = { $topic }:
desk-faq-screen = { $body }
desk-faq-empty = (пока нет вопросов)
desk-faq-drop = 🗑 { $question }
desk-faq-add = ➕ Добавить вопрос
desk-faq-ask-question = Напишите вопрос, как его задают читатели.
desk-faq-ask-answer = Теперь напишите ответ.
desk-faq-bad = Нужен текст от 3 знаков (вопрос — до 300, ответ — до 4000).
desk-faq-full = В этой теме уже 10 вопросов — уберите лишний, чтобы добавить новый.
desk-all-topics-word = все
desk-status-new = новая
desk-status-in_progress = в работе
desk-status-forwarded = передана эксперту
desk-status-awaiting = ждёт ответа заявителя
desk-status-resolved = решена
desk-status-rejected = отклонена
desk-status-withdrawn = отозвана
digest-title = 📅 <b>Афиша на неделю</b>, { $start }–{ $end }:
digest-line = • { $day } { $when } — { $title } ({ $branch })
digest-more = …и ещё { $count } — все в разделе «Мероприятия».
digest-all-events = 📅 Все мероприятия
compose-sent-line = ✉️ №{ $id }, отправлена { $when }: { $text }
compose-recall = ↩️ Отозвать №{ $id }
compose-recall-confirm = Отозвать рассылку №{ $id }? Отправленные сообщения будут удалены из чатов (если им меньше 48 часов), неотправленные — не уйдут.
compose-recall-yes = Да, отозвать
compose-recalled = Рассылка №{ $id } отозвана: удаляю сообщений — { $deleting }, не будут отправлены — { $dropped }{ $old ->
        [0] {""}
       *[other] ; старше 48 часов, удалить нельзя — { $old }
    }.
compose-not-recallable = Рассылку №{ $id } отозвать нельзя: она ещё не начиналась (её можно отменить) или уже отозвана.
broadcast-missed = ⚠️ Рассылка №{ $id } на { $when } не отправлена: бот в это время не работал, а отправлять её с таким опозданием уже поздно. Запланируйте заново, если она ещё нужна.

## Отчёты и статистика (сотрудники)
staff-report = 📑 Отчёт
staff-stats = 📈 Статистика
report-choose = За какой период подготовить отчёт? Придёт файл XLSX: показатели, учёт работы по видам, запросы и графики.
report-period-m0 = Этот месяц
report-period-m1 = Прошлый месяц
report-period-q0 = Этот квартал
report-period-q1 = Прошлый квартал
report-period-y0 = Этот год
report-period-y1 = Прошлый год
report-working = Готовлю отчёт: { $period } — это займёт до минуты.
report-busy = Отчёт уже готовится — он придёт в этот чат.
report-caption = Отчёт: { $period }
    Запросов: { $requests }, мероприятий: { $events }. Открывается в Excel и LibreOffice.
report-failed = Не получилось подготовить отчёт. Попробуйте позже; если повторится — сообщите администратору бота.
stats-title = { $current } против { $previous }
stats-caption = <b>Статистика: { $current }</b> против тех же дней прошлого месяца ({ $previous })
stats-line = { $name }: { $now } (было { $before })
stats-events = Мероприятий
stats-participants = Участников
stats-organisations = НКО-участников
stats-consultations = Консультаций
stats-requests = Запросов получено
stats-resolved = Запросов решено
stats-catalogue = Справок по каталогу
stats-renewals = Продлений
stats-reach = Охват рассылок

## One person in Telegram and VK
about-link = 🔗 Telegram + ВКонтакте
cmd-link = Связать мессенджеры (Telegram, ВКонтакте, MAX)
messenger-telegram = Telegram
messenger-vk = ВКонтакте
link-intro =
    🔗 <b>Один читатель — два мессенджера</b>
    Пишете боту и в Telegram, и во ВКонтакте? Свяжите аккаунты: книги, записи, обращения и подписки станут общими, а рассылки будут приходить один раз.

    Нажмите «Получить код» и отправьте код боту в другом мессенджере. Если код у вас уже есть — отправьте его сюда.
link-status = Связаны: { $messengers }. Рассылки и напоминания приходят в { $preferred }.
link-get-code = 🔢 Получить код
link-prefer-here = 📬 Присылать сюда
link-code =
    Ваш код: <b>{ $code }</b>
    Отправьте его боту в { $other } в течение 10 минут (можно командой /link { $code }). Никому его не сообщайте.
link-ask-code = Пришлите восемь цифр кода из другого мессенджера или вернитесь в меню.
link-wrong = Такого кода нет или он устарел. { $left ->
    [one] Осталась { $left } попытка.
    [few] Осталось { $left } попытки.
   *[other] Осталось { $left } попыток.
}
link-locked = Слишком много неверных кодов. Попробуйте снова после { $until }.
link-same-messenger = Этот код нужно отправить боту в другом мессенджере — не там, где вы его получили.
link-already = Эти аккаунты уже связаны.
link-staff = Аккаунты сотрудников и экспертов связывает только администратор библиотеки.
link-done = ✅ Готово: теперь бот узнаёт вас в обоих мессенджерах. Книги, записи, обращения и подписки — общие. Рассылки и напоминания приходят в { $preferred }.
link-ticket-kept = К обоим аккаунтам были привязаны читательские билеты: остался билет из того мессенджера, где вы получили код. Другой можно привязать заново в «Мои книги».
link-preferred = Рассылки и напоминания будут приходить сюда, в { $messenger }.
link-not-linked = Этот аккаунт ещё не связан с другим мессенджером.

# ticket-link guard
loans-slowed = По этому билету недавно было много неудачных попыток, поэтому сейчас его проверяют с паузой. Отправьте { $what ->
        [password] пароль
        [identity] фамилию и год рождения
       *[code] код
    } ещё раз через { $minutes ->
        [one] { $minutes } минуту
        [few] { $minutes } минуты
       *[many] { $minutes } минут
    }.
notify-link-guessing = 🔒 Похоже, кто-то пытается привязать чужой читательский билет { $ticket }: { $failures ->
        [one] { $failures } неудачная попытка
        [few] { $failures } неудачные попытки
       *[many] { $failures } неудачных попыток
    } с { $accounts ->
        [one] { $accounts } аккаунта
       *[other] { $accounts } аккаунтов
    }. Билет не заблокирован: его проверяют с паузой до { $longest } мин, а аккаунт, ошибившийся { $max ->
        [few] { $max } раза
       *[other] { $max } раз
    }, ждёт { $minutes } мин. Если читатель не может привязать билет, помогите ему в библиотеке.

# exports and event descriptions
staff-description-too-long = Описание не помещается в карточку мероприятия: { $length } знаков вместе с оформлением, а можно до { $limit }. Сократите его и пришлите снова — пока ничего не сохранено.

## Выход из формы: /cancel или «отмена»
form-cancel-word = Отмена
form-cancel-word-2 = Отменить
form-left = Хорошо, отменили — ничего из этой анкеты не сохранено. Вы в главном меню.
form-nothing-to-cancel = Отменять нечего — вы в главном меню.
cmd-cancel = Выйти из анкеты без сохранения

## /forget: что именно уйдёт
forget-what-places = { $count ->
        [one] запись на { $count } предстоящее мероприятие — место перейдёт тому, кто ждёт
        [few] записи на { $count } предстоящих мероприятия — места перейдут тем, кто ждёт
       *[other] записи на { $count } предстоящих мероприятий — места перейдут тем, кто ждёт
    }
forget-what-requests = { $count ->
        [one] { $count } открытое обращение к специалисту будет отозвано
        [few] { $count } открытых обращения к специалистам будут отозваны
       *[other] { $count } открытых обращений к специалистам будут отозваны
    }
forget-what-ticket = привязка читательского билета № { $ticket } (сам билет в библиотеке останется)
forget-what-subscriptions = { $count ->
        [one] { $count } подписка на рассылки
        [few] { $count } подписки на рассылки
       *[other] { $count } подписок на рассылки
    }
forget-what-watches = { $count ->
        [one] { $count } просьба сообщить, когда вернут книгу
        [few] { $count } просьбы сообщить, когда вернут книгу
       *[other] { $count } просьб сообщить, когда вернут книгу
    }

# #19 «Мои книги»: последнее продление, ожидания «Сообщить, когда вернут»
loans-renew-last-button = 🔄 Продлить последний раз: { $title }
loans-watches-title = <b>Сообщу, когда вернут:</b>
loans-watch-line = • «{ $title }»
loans-watches-more = …и ещё { $count }
loans-watch-cancel-button = 🔕 Не ждать: { $title }
loans-watch-cancelled = Хорошо, больше не жду «{ $title }».
loans-watch-gone = Этого ожидания уже нет: его сняли или книга уже вернулась.
# --- #19 reports and staff screens: «📊 Сегодня» counts cases, each in its own unit
today-consultations = Запросов на консультацию получено
today-expertise = Заявок на экспертизу получено
today-resolved = Запросов решено
today-registrations = Записей на мероприятия (с листом ожидания)
today-cancellations = Записей отменено
today-attended = Отмечено пришедших на мероприятия
today-catalogue = Поисков в каталоге
today-holds = Просьб забронировать книгу
today-purchases = Предложений купить книгу
today-watches = Просьб сообщить о возврате книги
today-loans = Справок о книгах на формуляре
today-renewals = Книг продлено
today-library-info = Справок о библиотеке
today-links = Читательских билетов привязано
today-subscriptions = Новых подписок на рассылки
today-people = Читателей написали боту
staff-today-note = <i>Считаются дела, а не сообщения: запрос — одна отправленная заявка, сколько бы шагов в ней ни было; поиск — один ответ каталога; продление — одна продлённая книга; читатель — один человек за день.</i>
# --- #19 holds and purchase requests from the catalogue: pickup branch, staff card, answers
hold-pick-branch = 📌 Где вам удобнее забрать «{ $title }»?
hold-pick-gone = Этого филиала нет в списке для выдачи — нажмите «Забронировать» ещё раз.
hold-already-requested = Вы уже забронировали «{ $title }» — повторять не нужно. Сотрудники напишут здесь, когда книга будет ждать вас.
hold-already-ready = «{ $title }» уже отложена для вас и ждёт до { $until }{ $branch ->
        [none] {""}
       *[other] {" "}— { $branch }
    }.
hold-on-loan = «{ $title }» уже у вас на руках — бронировать её не нужно. Срок можно продлить в «📚 Мои книги».
hold-requested = 📌 Заявку на бронь «{ $title }» передали сотрудникам{ $branch ->
        [none] {""}
       *[other] {" "}(забрать: { $branch })
    }. Они напишут здесь, когда книга будет ждать вас.
hold-placed = 📌 «{ $title }» забронирована в библиотечной системе{ $branch ->
        [none] {""}
       *[other] {" "}(забрать: { $branch })
    }.{ $ahead ->
        [0] {""}
       *[other] {" "}Перед вами в очереди: { $ahead }.
    } Мы напишем здесь, когда книга будет ждать вас.
hold-refused = Библиотечная система не приняла бронь «{ $title }»: { $reason } Заявку передали сотрудникам — они напишут вам здесь.
hold-reason-already_held = вы уже ждёте эту книгу.
hold-reason-have_it = эта книга уже записана на ваш билет.
hold-reason-too_many = на билете уже наибольшее число броней.
hold-reason-blocked = билет заблокирован или есть задолженность — подойдите на абонемент.
hold-reason-not_holdable = эту книгу нельзя забронировать (например, она только для читального зала).
hold-reason-pickup = в этом филиале её выдать нельзя.
hold-reason-rules = так по правилам библиотеки.
hold-card-title = 📌 <b>Бронь № { $number }</b>: «{ $title }»
hold-card-reader = Читатель: { $reader }
hold-card-pickup = Забрать: { $branch ->
        [none] филиал не выбран
       *[other] { $branch }
    }
hold-card-contact = Связь: через бота в { $messenger } — ответьте кнопкой ниже
hold-card-received = Получено: { $at }
hold-card-placed = ✅ Бронь оформлена в библиотечной системе{ $ref ->
        [none] {""}
       *[other] {" "}(№ { $ref })
    }{ $queue ->
        [0] {""}
       *[other] , место в очереди: { $queue }
    }.
hold-card-refused = ⚠️ Библиотечная система не приняла бронь: { $detail }. Решите, как быть, и ответьте читателю.
hold-card-unknown-book = ⚠️ Библиотечная система не нашла эту книгу по штрихкодам каталога — оформите бронь вручную.
hold-card-unavailable = ⚠️ Библиотечная система не ответила — оформите бронь вручную.
hold-card-unconfirmed = ⚠️ Библиотечная система не подтвердила бронь — проверьте, появилась ли она, прежде чем оформлять вручную.
hold-card-not-supported = Библиотечная система не принимает брони от бота — оформите бронь вручную.
hold-card-not-linked = Билет в боте не привязан — в библиотечной системе бронь не оформлена.
hold-card-by-hand = Отложите книгу и ответьте читателю кнопкой ниже.
reader-ticket = билет № { $ticket }{ $name ->
        [none] {""}
       *[other] , { $name }
    }
reader-messenger = { $name } ({ $messenger }), билет не привязан
reader-unnamed = без имени
reader-no-consent = читатель без согласия на обработку данных
hold-desk-ready = ✅ Отложено на { $days } { $days ->
        [one] день
        [few] дня
       *[many] дней
    }
hold-desk-none = ❌ Нет в наличии
hold-desk-done-ready = ✅ Бронь № { $number }: отложено до { $until } — читателю сообщили. Ответил(а): { $staff }.
hold-desk-done-none = ❌ Бронь № { $number }: нет в наличии — читателю сообщили. Ответил(а): { $staff }.
hold-desk-answered = На эту бронь уже ответили.
hold-desk-gone = Этой брони больше нет.
hold-ready = 📌 «{ $title }»: отложено, ждёт вас до { $until } включительно{ $branch ->
        [none] {""}
       *[other] {" "}— { $branch }
    }. Возьмите читательский билет.
hold-none = 😔 «{ $title }»: сейчас нет в наличии, отложить не получилось. Хотите — напишу, когда книгу вернут.
purchase-from = От: { $reader }
# --- #19 reports and staff screens: a new expert in the bot is linked to her entry of the expert directory
roles-expert-which = Кто { $name } в справочнике экспертов? Обращения передают записям справочника: выберите запись — и обращения, уже переданные этому эксперту, сразу появятся у него в боте.
roles-expert-not-listed = Нет в справочнике
roles-expert-not-listed-done = Хорошо. Когда добавите эксперта в справочник («Для сотрудников» → «Обращения» → «Эксперты»), укажите его id в мессенджере — и обращения будут приходить ему в бот.
roles-expert-linked = Готово: это { $name } из справочника. { $count ->
        [0] Открытых обращений у эксперта пока нет.
        [one] Эксперта ждёт { $count } открытое обращение — оно уже в «Обращения ко мне».
        [few] Эксперта ждут { $count } открытых обращения — они уже в «Обращения ко мне».
       *[many] Эксперта ждут { $count } открытых обращений — они уже в «Обращения ко мне».
    }
roles-expert-link-stale = Не получилось: эту запись справочника уже связали с другим человеком или убрали, либо у человека больше нет роли эксперта. Откройте «Сотрудники и эксперты» заново.
# --- #19 holds (2): who tells the reader when a hold placed in the system is ready; the demo's messenger
hold-card-system-tells = Когда система отметит бронь как ждущую, бот напомнит читателю сам; кнопки — если нужно ответить иначе или раньше.
messenger-console = демо-консоли

## #19 мероприятия: даты как их пишут, окончание, зал, предпросмотр; «Пропустить» контакт; билет из «Моих записей»
date-day-month = { $day } { $month ->
        [1] января
        [2] февраля
        [3] марта
        [4] апреля
        [5] мая
        [6] июня
        [7] июля
        [8] августа
        [9] сентября
        [10] октября
        [11] ноября
       *[12] декабря
    }
date-long = { $weekday ->
        [0] понедельник
        [1] вторник
        [2] среда
        [3] четверг
        [4] пятница
        [5] суббота
       *[6] воскресенье
    }, { date-day-month } { $year }, { $time }
staff-when-no-time = Напишите, пожалуйста, и время — например: { $short }.
staff-when-no-date = Напишите, пожалуйста, и день — например: { $short } или «завтра в 18».
staff-when-no-such-day = Такой даты или времени в календаре нет. Например: { $short }.
staff-when-past = Это время уже прошло. Напишите, пожалуйста, дату в будущем — например: { $short }.
staff-when-wrong-weekday = День недели не совпадает с датой — проверьте, пожалуйста. Можно написать только дату, например: { $short }.
staff-when-not-after-start = Окончание должно быть позже начала ({ $start }). Например: { $example }.
staff-new-ends = Когда окончание? Например: { $example } — в тот же день; или дата и время. Если не знаете — «Пропустить».
staff-new-bad-end = Не понял время окончания. Напишите, например, { $example } — или нажмите «Пропустить».
staff-new-room = Зал или кабинет? Например: «Зал 2» или «каб. 5». Если не нужно — «Пропустить».
staff-new-bad-room = Напишите зал покороче — до 200 символов — или нажмите «Пропустить».
staff-new-preview = 👀 Так мероприятие увидят в афише. Начало — { $start }{ $end ->
        [none] {""}
       *[other] , окончание — { $end }
    }. Всё верно?
staff-new-publish = ✅ Опубликовать
staff-new-change = ✏️ Изменить
staff-new-drop = Отмена
staff-new-dropped = Хорошо, мероприятие не создано — черновик удалён.
staff-new-change-what = Что изменить?
staff-draft-title = Название
staff-draft-kind = Вид мероприятия
staff-draft-starts = Начало
staff-draft-ends = Окончание
staff-draft-branch = Филиал и зал
staff-draft-seats = Число мест
staff-draft-description = Описание
events-ask-contact-optional = Телефон или e-mail для связи? Можно «Пропустить»: о мероприятии я напомню здесь, в чате.
events-ticket-button = 🎟 Билет: { $title }
events-ticket-card-button = 🎟 Билет и календарь
events-ticket-none = Билета нет: запись не подтверждена или уже отменена.

# the libbot command line: help and summaries for staff (#19)
cli-description = Бот библиотеки для читателей и НКО: Telegram, ВКонтакте и MAX, каталог, выдачи, мероприятия, консультации.
cli-usage = использование
cli-positionals = аргументы
cli-options = параметры
cli-help = показать эту справку и выйти
cli-config = файл настроек (по умолчанию: $LIBBOT_CONFIG или ./config.toml)
cli-run = Обслуживать читателей в мессенджерах из config.toml (Telegram, ВКонтакте, MAX).
cli-run-role = что делает этот процесс, когда работа разделена между процессами: web (сообщения читателей), sender (очередь отправки), scheduler (задачи по расписанию; ведёт один процесс); по умолчанию all — всё
cli-demo = Поговорить с ботом в этом терминале: демонстрационная библиотека, токен не нужен.
cli-demo-as = кто вы в демо: reader — читатель (по умолчанию), admin — администратор бота библиотеки, expert — эксперт
cli-import-catalogue = Импорт каталога (MARC 21 и RUSMARC в ISO 2709 или MARCXML, текстовая выгрузка ИРБИС, CSV).
cli-import-catalogue-files = файлы выгрузки
cli-import-catalogue-format = формат файла (по умолчанию определяется по файлу)
cli-import-catalogue-encoding = кодировка текста, например cp1251, utf-8, marc-8 (по умолчанию определяется)
cli-import-catalogue-dry-run = показать, что изменится, ничего не меняя
cli-import-catalogue-full = в файлах весь каталог: записи, которых в них нет, списываются
cli-broadcast = Запланировать рассылку подписчикам (отправит работающий бот).
cli-broadcast-text = текст рассылки (можно с HTML-разметкой)
cli-broadcast-text-file = взять текст рассылки из файла
cli-broadcast-cancel = отменить запланированную рассылку
cli-broadcast-recall = отозвать отправленную рассылку: удалить её из чатов (в течение 48 часов)
cli-broadcast-topic = подписчикам этой темы (см. [subscriptions] topics)
cli-broadcast-everyone = всем, кто писал боту
cli-broadcast-nko = участникам НКО: всем, кто указал организацию
cli-broadcast-event = записавшимся на это мероприятие (и ждущим места)
cli-broadcast-branch = только тем, кто следит за этим филиалом
cli-broadcast-at = время библиотеки (по умолчанию: сейчас)
cli-broadcast-urgent = отправлять и в тихие часы
cli-broadcast-photo = адрес (URL) фотографии к тексту
cli-broadcast-button = кнопка-ссылка под сообщением (можно несколько)
cli-import-loans = Загрузить выдачи (и читателей) библиотечной системы «local» из выгрузки CSV.
cli-import-holds = Загрузить брони библиотечной системы «local» из выгрузки CSV.
cli-loans-file = выгрузка CSV
cli-loans-encoding = кодировка текста, например cp1251 (по умолчанию определяется)
cli-export-renewals = Продления, сделанные в боте (система «local»), в CSV — чтобы перенести их в библиотечную систему.
cli-export-renewals-out = записать сюда (по умолчанию: в стандартный вывод)
cli-export-renewals-all = все продления, а не только ещё не выгруженные
cli-link-code = Выдать одноразовый код: читатель вводит его в «Мои книги», чтобы привязать билет.
cli-ticket = номер читательского билета
cli-unlink = Отвязать читательский билет от всех аккаунтов в мессенджерах (по просьбе читателя).
cli-events = Мероприятия: «import ФАЙЛ.csv» загружает план на сезон (см. README).
cli-events-file = план в CSV
cli-experts = Справочник экспертов: «import ФАЙЛ.csv» (ФИО; Компетенции; …).
cli-faq = Частые вопросы консультаций: «import ФАЙЛ.csv» (Тема; Вопрос; Ответ) заменяет вопросы темы.
cli-directory-file = файл CSV
cli-directory-encoding = кодировка текста (по умолчанию определяется)
cli-requests = Обращения за консультацией: «register» записывает реестр запросов.
cli-requests-out = файл .xlsx или .csv
cli-first-day = первый день
cli-last-day = последний день (включительно)
cli-report = Отчёт ресурсного центра за период (XLSX: Показатели, листы работы, Запросы, Графики).
cli-report-period = квартал (2026-Q3) или месяц (2026-07)
cli-report-year = весь год
cli-report-branch = мероприятия и рассылки одного филиала
cli-report-out = файл .xlsx или, с --format csv, папка
cli-report-format = xlsx (по умолчанию) или csv
cli-report-demo = отчёт по демонстрационной библиотеке (данные libbot demo)
cli-db = База данных: upgrade — обновить схему, downgrade — откатить, current — текущая версия; backup — резервная копия, restore — восстановить из неё.
cli-db-revision = версия схемы (upgrade: по умолчанию head; downgrade: обязательно); для backup и restore — файл
cli-loading = Загружаю…
cli-import-read = прочитано записей: { $read } за { NUMBER($seconds, minimumFractionDigits: 1, maximumFractionDigits: 1) } с{ $rate ->
        [0] {""}
       *[other] {" "}({ $rate } в секунду)
    }
cli-import-changes = { $mode ->
        [dry-run] будет добавлено: { $added }, будет обновлено: { $updated }, без изменений: { $unchanged }
       *[done] добавлено: { $added }, обновлено: { $updated }, без изменений: { $unchanged }
    }
cli-import-withdrawn = { $mode ->
        [dry-run] будет списано
       *[done] списано
    } записей: { $records }, экземпляров: { $copies }
cli-import-skipped = пропущено: { $skipped }, почему:
cli-import-example = например, { $example }
cli-import-more = … и ещё { $more }
cli-import-nothing-withdrawn = ничего не списано: { $reason }
cli-import-dry-run = пробный импорт: ничего не изменено
cli-import-progress = импорт: записей { $count } ({ $rate } в секунду)
cli-report-written = { $out }: { $period }; записей о работе: { $rows }, запросов: { $requests }
cli-report-csv-written = { $out }/: { $period }; файлов: { $files }
cli-register-written = { $out }: запросов в реестре: { $requests }

## Мастер мероприятия: шаг с кнопками
staff-new-use-buttons = На этом шаге выберите вариант кнопкой 👇
forget-what-holds = { $count ->
        [one] { $count } заявка на бронь — сотрудники больше не увидят, чья она
        [few] { $count } заявки на бронь — сотрудники больше не увидят, чьи они
       *[other] { $count } заявок на бронь — сотрудники больше не увидят, чьи они
    }

## Спросить библиотекаря: вопрос читателя в чате сотрудников
lib-ask-button = 🙋 Спросить библиотекаря
lib-ask-prompt = Напишите ваш вопрос одним сообщением — я передам его библиотекарю. Ответ придёт сюда.
lib-ask-again = Не нашёл ваш вопрос — наверное, кнопка устарела. Напишите вопрос ещё раз одним сообщением, и я передам его библиотекарю.
lib-bad-question = Напишите вопрос хотя бы несколькими словами.
lib-question-too-long = Вопрос получился очень длинным — сократите, пожалуйста, до { $limit } знаков.
lib-abort = ✖️ Не спрашивать
lib-aborted = Хорошо, вопрос не отправлен.
lib-send-text = Напишите, пожалуйста, вопрос текстом.
lib-sent = ✅ Вопрос <b>№ { $number }</b> передан библиотекарю. Ответ придёт сюда. Если хотите что-то добавить — просто напишите.
lib-closed-now = Сейчас мы не работаем; ответим после { $time } { $day ->
        [today] сегодня
        [tomorrow] завтра
        [mon] понедельника
        [tue] вторника
        [wed] среды
        [thu] четверга
        [fri] пятницы
        [sat] субботы
       *[sun] воскресенья
    }.
lib-need-consent = Чтобы передать вопрос библиотекарю, нужно ваше согласие на обработку персональных данных. Вопрос уйдёт сразу после согласия.
lib-not-sent = Без согласия вопрос не передан. Можно позвонить нам{ $phone ->
        [none] .
       *[other] : { $phone }.
    }
lib-off = Вопросы библиотекарю через бот сейчас не принимаются. { $phone ->
        [none] Позвоните нам или зайдите в библиотеку.
       *[other] Позвоните нам: { $phone }.
    }
lib-added = ✍️ Добавлено к вопросу № { $number }. Библиотекарь увидит.
lib-solved = ✅ Вопрос решён
lib-answer = 💬 <b>Ответ библиотекаря</b> на вопрос № { $number }:

    { $text }

    Если хотите что-то уточнить — просто напишите сюда.
lib-already-closed = Этот вопрос уже закрыт. Если нужно что-то ещё — просто напишите.
lib-desk-added = ✍️ Читатель дополнил вопрос № { $number }:
    { $text }
lib-desk-reminder = ⏰ На вопрос № { $number } нет ответа уже { $minutes } мин рабочего времени — ответьте на это сообщение (reply) или кнопкой «Ответить».
lib-reply-sent = ✅ Ответ отправлен (№ { $number }).
lib-reply-kept = Ответ на № { $number } сохранён, но читатель удалил свои данные — доставить его некуда.
lib-reply-closed = Вопрос № { $number } уже закрыт — ответ не отправлен.
lib-reply-gone = Этого обращения больше нет — ответ не отправлен.
lib-reply-staff-only = Отвечать читателям из этого чата могут только сотрудники библиотеки (и эксперт, которому передано обращение).
lib-reply-text-only = Читателю уходит только текст ответа — напишите его сообщением.
lib-to-faq = ➕ В частые вопросы
lib-faq-added = 📚 Добавлено в частые вопросы: «{ $question }». Поправить вопрос и ответ можно в «Для сотрудников» → «Частые вопросы».
lib-faq-no-answer = У вопроса № { $number } ещё нет ответа — сначала ответьте читателю.
lib-faq-already = Вопрос № { $number } уже добавлен в частые вопросы.
lib-faq-note = ➕ Добавлено в частые вопросы

## The front door: answers to typed messages (#20)
fd-hello = Здравствуйте!
fd-greeting = Здравствуйте! Спросите меня о книге, о часах работы, о мероприятиях — или выберите пункт меню 👇
fd-thanks = Пожалуйста! Обращайтесь 🙂
fd-goodbye = До свидания! Будем рады вам снова 🙂
fd-empty = Я понимаю слова 🙂 Напишите вопрос — например, «когда вы работаете?» или название книги — или выберите пункт меню.
fd-unknown = Готового ответа на этот вопрос у меня нет. Могу передать его библиотекарю — ответ придёт сюда же.
fd-librarian = Передать ваш вопрос библиотекарю? Нажмите кнопку — или сначала напишите вопрос подробнее.
fd-ask-button = 🙋 Спросить библиотекаря
fd-search-button = 🔎 Искать «{ $query }» в каталоге
fd-about-button = ℹ️ Все адреса и часы
fd-catalogue-nothing = По запросу «{ $query }» в каталоге ничего не нашлось. Если это вопрос, а не название книги, — его можно передать библиотекарю.
fd-unsubscribe = Понимаю. Ниже ваши подписки: снимите лишние или нажмите «Отписаться от всего».
fd-faq-answer = <b>{ $question }</b>

{ $answer }
fd-faq-maybe = Возможно, вы об этом? Если нет — спросите библиотекаря.
fd-faq-gone = Этого ответа больше нет. Напишите вопрос ещё раз.
fd-events-title = <b>Мероприятия { $span }</b>:
fd-events-none = Мероприятий { $span } нет. Вот ближайшие:
fd-events-signup = Выберите мероприятие — на его карточке будет кнопка «Записаться».
fd-hours-week-title = <b>Часы работы</b>
fd-hours-day-title = <b>Часы работы { $day }</b> ({ $date }):
fd-hours-now-title = <b>Сейчас</b>:
fd-hours-branch = { $branch }: { $hours }
fd-hours-unknown = Часы работы библиотека пока не указала — уточните, пожалуйста, по телефону.
fd-open-now = сейчас открыто, до { $until }
fd-closed-now = сейчас закрыто, откроется { $day } в { $at }
fd-today = сегодня
fd-tomorrow = завтра
fd-on-mon = в понедельник
fd-on-tue = во вторник
fd-on-wed = в среду
fd-on-thu = в четверг
fd-on-fri = в пятницу
fd-on-sat = в субботу
fd-on-sun = в воскресенье
fd-span-week = на этой неделе
fd-span-weekend = в выходные
fd-span-today = сегодня
fd-span-tomorrow = завтра
fd-span-mon = в понедельник ({ $date })
fd-span-tue = во вторник ({ $date })
fd-span-wed = в среду ({ $date })
fd-span-thu = в четверг ({ $date })
fd-span-fri = в пятницу ({ $date })
fd-span-sat = в субботу ({ $date })
fd-span-sun = в воскресенье ({ $date })
fd-address-title = <b>Где нас найти</b>
fd-address-branch = 📍 { $branch }: { $address }
fd-address-unknown = Адрес библиотека пока не указала. { $phone ->
        [none] {""}
       *[other] Телефон: { $phone }
    }
fd-contacts-branch = ☎️ { $branch }: { $phone }
fd-contacts-unknown = Контакты библиотека пока не указала.

## Частые вопросы библиотеки («Для сотрудников» → «❓ Частые вопросы», libbot faq)
faq-staff-button = ❓ Частые вопросы
faq-list = <b>Частые вопросы</b>: { $count }. Когда читатель пишет похожий вопрос, бот отвечает сам. Нажмите на вопрос, чтобы посмотреть или изменить его.
faq-list-pages = <b>Частые вопросы</b>: { $count }, страница { $page } из { $pages }. Когда читатель пишет похожий вопрос, бот отвечает сам. Нажмите на вопрос, чтобы посмотреть или изменить его.
faq-list-empty = <b>Частые вопросы</b>
    Пока нет ни одного. Добавьте вопрос кнопкой ниже — или загрузите сразу много из файла: <code>libbot faq import faq.example.csv</code> (там примеры для начала).
faq-prev = ◀️ Назад
faq-next = Дальше ▶️
faq-add = ➕ Добавить
faq-card = <b>Вопрос:</b> { $question }

    <b>Как ещё спрашивают:</b>
    { $phrasings }

    <b>Ответ:</b>
    { $answer }
faq-card-no-phrasings = (других формулировок нет)
faq-edit-question = ✏️ Изменить вопрос
faq-edit-phrasings = ✏️ Изменить формулировки
faq-edit-answer = ✏️ Изменить ответ
faq-drop = 🗑 Удалить
faq-to-list = ⬅️ К списку
faq-drop-confirm = Удалить вопрос «{ $question }»? Бот перестанет на него отвечать.
faq-drop-yes = 🗑 Да, удалить
faq-drop-no = Нет, оставить
faq-dropped = Вопрос удалён.
faq-gone = Этого вопроса уже нет — наверное, его удалили.
faq-stale = Эта кнопка уже не действует. Откройте «❓ Частые вопросы» заново.
faq-ask-question = <b>Новый вопрос</b>, шаг 1 из 3.
    Напишите вопрос так, как его задают читатели, например: <i>Как записаться в библиотеку?</i>
faq-ask-phrasings = Шаг 2 из 3. Как ещё спрашивают о том же? Напишите другие формулировки, каждую с новой строки, — так бот узнает вопрос, даже если его зададут иначе. Можно пропустить.
faq-ask-answer = Шаг 3 из 3. Теперь напишите ответ — его бот пришлёт читателю.
faq-edit-question-prompt = Сейчас вопрос такой:
    { $current }

    Напишите новый.
faq-edit-phrasings-prompt = Другие формулировки сейчас:
    { $current }

    Напишите новый список, каждую формулировку с новой строки, — он заменит прежний.
faq-edit-answer-prompt = Сейчас ответ такой:
    { $current }

    Напишите новый.
faq-skip = Пропустить
faq-clear-phrasings = Убрать все формулировки
faq-cancel = ✖️ Отмена
faq-cancelled = Ничего не изменено.
faq-added = ✅ Вопрос добавлен — теперь бот отвечает на него сам.
faq-saved = ✅ Сохранено.
faq-send-text = Пришлите, пожалуйста, текст.
faq-bad-no-question = Напишите вопрос текстом.
faq-bad-long-question = Вопрос длиннее { $limit } знаков — сократите, пожалуйста.
faq-bad-long-phrasing = Одна из формулировок длиннее { $limit } знаков — сократите её.
faq-bad-many-phrasings = Формулировок больше { $limit } — оставьте самые частые.
faq-bad-no-answer = Напишите ответ текстом.
faq-bad-long-answer = Ответ длиннее { $limit } знаков — сократите его, чтобы он поместился в одно сообщение.
faq-bad-taken = Такой вопрос уже есть в списке — лучше измените его, чем добавлять второй.
faq-bad-full = В списке уже { $limit } вопросов — удалите лишние, чтобы добавить новый.
cli-faq-command = Частые вопросы библиотеки: «import ФАЙЛ» загружает вопросы и ответы из CSV (Вопрос; Другие формулировки; Ответ), «export ФАЙЛ» записывает их в CSV, «list» показывает список. Файл со столбцом «Тема» — частые вопросы консультаций, как раньше.
cli-faq-action = import — загрузить из файла, export — записать в файл, list — показать список
cli-faq-file = файл CSV (для import и export)
cli-faq-replace = список станет как в файле: вопросы, которых в нём нет, удаляются
cli-faq-empty = Частых вопросов пока нет. Загрузите их: libbot faq import ФАЙЛ (для начала — faq.example.csv).
cli-faq-list-title = Частых вопросов: { $count } (номер, вопрос, сколько других формулировок)
cli-faq-exported = { $out }: вопросов: { $count }
cli-faq-imported = добавлено: { $added }, обновлено: { $updated }, без изменений: { $unchanged }, удалено: { $removed }
cli-faq-nothing = ни один вопрос не загружен
cli-faq-skipped = пропущено строк: { $count }:
cli-faq-placeholders = в ответах остались [квадратные скобки] — впишите туда сведения своей библиотеки; строк: { $count } ({ $lines })
cli-faq-skip-no-question = строка { $line }: нет вопроса
cli-faq-skip-long-question = строка { $line }: вопрос длиннее { $limit } знаков
cli-faq-skip-long-phrasing = строка { $line }: одна из формулировок длиннее { $limit } знаков
cli-faq-skip-many-phrasings = строка { $line }: других формулировок больше { $limit }
cli-faq-skip-no-answer = строка { $line }: нет ответа
cli-faq-skip-long-answer = строка { $line }: ответ длиннее { $limit } знаков
cli-faq-skip-taken = строка { $line }: такой вопрос уже есть
cli-faq-skip-full = строка { $line }: в списке уже { $limit } вопросов, больше не помещается
cli-faq-skip-unreadable = строка { $line }: не читается как CSV ({ $detail })
cli-faq-skip-repeated = строка { $line }: тот же вопрос, что в строке { $detail }
lib-faq-taken = Такой вопрос уже есть в частых вопросах — поправьте ответ там: «Для сотрудников» → «Частые вопросы».
lib-faq-full = В частых вопросах уже { $limit } записей — удалите ненужные и попробуйте снова.
lib-faq-refused = Не получилось добавить в частые вопросы — добавьте вручную: «Для сотрудников» → «Частые вопросы».
fd-consultation = <b>{ $topic }</b>: задайте вопрос специалисту — ответ придёт сюда, в чат.
stats-typed-none = Вопросов, написанных словами, за { $period } не было.
stats-typed = <b>Вопросы словами</b> за { $period }: { $typed }. Бот ответил сам — { $automatic } ({ $share } %), передано библиотекарю — { $librarian }, без готового ответа — { $unplaced }.
stats-typed-unplaced = Чаще всего бот не нашёл ответа на (можно добавить в «Частые вопросы»):
stats-typed-line = • «{ $text }» — { $count }
lib-sent-already = Этот вопрос уже передан библиотекарю (№ { $number }). Ответ придёт сюда.
cmd-ask = Спросить библиотекаря
today-faq = Ответов из частых вопросов
fd-maybe-a-title = Если вы искали книгу с таким названием — поищу в каталоге:
fd-hours-holiday = ℹ️ В праздничные дни часы работы могут меняться — уточните, пожалуйста, по телефону.
lib-desk-card = 🙋 <b>Вопрос библиотекарю</b> — ответьте на это сообщение (reply), и ответ уйдёт читателю. Начните с // — будет заметка для коллег, читатель её не увидит.
lib-note-saved = 🔒 Заметка, читатель её не видит.
lib-note-empty = Напишите текст заметки после //.
lib-thanks-added = 🙂 Передам библиотекарю ваше сообщение к вопросу № { $number }. Если вопрос решён — нажмите «✅ Вопрос решён».
lib-faq-in-private = 📚 Продолжим в личном чате с ботом: там можно поправить вопрос и ответ перед добавлением.
lib-faq-reader-gone = Читатель удалил свои данные — его вопрос в частые вопросы не добавлен. Свой вопрос можно добавить в «Для сотрудников» → «❓ Частые вопросы» → «➕ Добавить».
faq-keep = ✔️ Оставить как есть
faq-suggested-question = <b>В частые вопросы</b> из вопроса № { $number }, шаг 1 из 3.
    Читатель спросил:
    <i>{ $question }</i>

    Этот вопрос увидят все читатели. Уберите имена, номера билетов, телефоны и всё личное — напишите вопрос так, как его задал бы любой читатель. Если личного в нём нет — нажмите «✔️ Оставить как есть».
faq-suggested-answer = Шаг 3 из 3. Читатель получил такой ответ:
    <i>{ $answer }</i>

    Бот будет присылать его всем, кто спросит о том же. Уберите обращение по имени и всё личное — напишите ответ для всех. Если личного в нём нет — нажмите «✔️ Оставить как есть».

## MAX (#24): the same bot in MAX, one person across three messengers
messenger-max = MAX
list-or = или
list-and = и
about-link-many = 🔗 Связать мессенджеры
link-intro-many =
    🔗 <b>Один читатель — несколько мессенджеров</b>
    Пишете боту в { $messengers }? Свяжите аккаунты: книги, записи, обращения и подписки станут общими, а рассылки будут приходить один раз.

    Нажмите «Получить код» и отправьте код боту в другом мессенджере. Если код у вас уже есть — отправьте его сюда.
link-done-many = ✅ Готово: теперь бот узнаёт вас в { $messengers }. Книги, записи, обращения и подписки — общие. Рассылки и напоминания приходят в { $preferred }.

# IRBIS64: the catalogue card when the library system did not answer in time
catalogue-live-fallback = <i>Наличие — по данным на { $time }: библиотечная система сейчас не ответила.</i>

## Привязка билета по номеру телефона (#23, verification = "phone")
loans-phone-offer = 📱 Можно и без номера билета: нажмите «📱 Поделиться номером» внизу — я найду ваш билет по телефону, записанному в библиотеке. Номер телефона я не сохраняю.
loans-phone-share = 📱 Поделиться номером
loans-phone-type-ticket = ✏️ Ввести номер билета
loans-phone-ask-ticket = Хорошо. Введите <b>номер читательского билета</b> — он напечатан на билете.
loans-phone-not-yours = Это не ваш номер: привязать билет можно только по своему. Нажмите «📱 Поделиться номером» внизу — или «✏️ Ввести номер билета».
loans-phone-several = С этим номером телефона в библиотеке записано несколько читателей, и я не могу понять, чей это билет.
loans-phone-none = Читателя с этим номером телефона в библиотеке не нашлось — возможно, в билете записан другой номер.
loans-phone-not-searchable = Найти читателя по номеру телефона библиотечная система не может.
loans-phone-fallback = Привяжем по-другому: введите <b>номер читательского билета</b>, а потом { $what ->
        [password] пароль (PIN) от личного кабинета библиотеки.
        [identity] фамилию и год рождения читателя.
       *[code] код из библиотеки — его выдают на кафедре выдачи по читательскому билету.
    }
loans-phone-already = Билет № { $ticket } уже привязан к этому аккаунту.

# IRBIS64 (#23): the catalogue read from the IRBIS64 server
cli-import-catalogue-from-irbis = прочитать каталог с сервера ИРБИС64 ([library_system.irbis64]) вместо файлов: новые и изменённые с прошлого раза записи (с --full — все)

## Учёт работы ресурсного центра (#25): «📝 Записать работу», libbot work, публичный отчёт
work-button = 📝 Записать работу
work-kinds = 📝 <b>Записать работу</b>. Какую? Выберите вид — потом коротко напишите, что сделано, и нажмите «✅ Готово».
work-mine = 📋 Мои записи
work-ask-content = <b>{ $kind }</b>
    Что сделано? Коротко, одним сообщением — например: <i>Консультация по регистрации АНО</i>.
work-cancel = ✖️ Отмена
work-cancelled = Ничего не записано. Какую работу записать?
work-stale = Эта кнопка уже не действует. Начните заново.
work-draft = Так будет записано:
work-draft-edit = Исправление записи № { $id }:
work-card-head = <b>{ $kind }</b>: { $content }
work-card-date = 📅 { $date }
work-card-responsible = 🙋 Ответственный: { $name }
work-card-customer = 👤 Заказчик: { $name }
work-card-executor = 🛠 Исполнитель: { $name }
work-card-people = 👥 Людей: { $count }
work-card-notes = 🗒 { $notes }
work-now = сейчас
work-done = ✅ Готово
work-save = ✅ Сохранить
work-more = ➕ Дополнить
work-back = ⬅️ Назад
work-field-date = 📅 Дата
work-field-customer = 👤 Заказчик
work-field-executor = 🛠 Исполнитель
work-field-responsible = 🙋 Ответственный
work-field-people = 👥 Число людей
work-field-notes = 🗒 Примечания
work-field-content = ✏️ Что сделано
work-field-kind = 🗂 Вид работы
work-field-done_at = 📅 Дата
work-field-all_day = 📅 Дата
work-ask-date = Когда это было? Нажмите кнопку или напишите дату: <i>12.11</i>, <i>12.11.2026</i> или <i>12.11 14:30</i>.
work-ask-customer = Для кого работа — человек или организация? Напишите имя или название; я подскажу тех, кто уже встречался.
work-ask-executor = Кто выполнил работу? Напишите имя (или несколько через запятую).
work-ask-responsible = Кто ответственный? Нажмите «Я» или напишите имя.
work-ask-people = Сколько человек получили помощь или участвовали? Напишите число.
work-ask-notes = Примечания — всё, что стоит знать при отчёте.
work-ask-content-edit = Что сделано? Напишите заново.
work-ask-kind = Выберите вид работы:
work-day-today = Сегодня
work-day-yesterday = Вчера
work-day-before = Позавчера
work-me = 🙋 Я
work-bad-content = Напишите, что сделано, одним сообщением — не длиннее { $limit } знаков.
work-bad-length = Не длиннее { $limit } знаков, пожалуйста.
work-bad-date = Не понял дату. Напишите, например, <i>12.11</i>, <i>12.11.2026</i> или <i>вчера</i> — не позже сегодняшнего дня.
work-bad-people = Напишите число людей цифрами, например: <i>3</i>.
work-suggest = «{ $name }» — может быть, кто-то из этих? Или оставьте, как написано.
work-keep-typed = ✔️ Оставить «{ $name }»
work-recorded = ✅ Записано, № { $id }.
work-saved = ✅ Исправлено, № { $id }.
work-record = Запись № { $id }
work-edit = ✏️ Исправить
work-drop = 🗑 Удалить
work-history = 🕓 История
work-again = 📝 Записать ещё
work-to-record = ⬅️ К записи
work-drop-confirm = Удалить запись № { $id } «{ $content }»? Из отчёта она уйдёт, в истории останется.
work-drop-yes = 🗑 Да, удалить
work-drop-no = Нет, оставить
work-dropped = Запись № { $id } удалена.
work-gone = Этой записи уже нет — её удалили.
work-not-yours = Исправить или удалить запись может только тот, кто её сделал, или администратор.
work-closed = Квартал этой записи уже закрыт: отчёт за него сдан, запись не меняется.
work-empty = В записи нет вида работы или того, что сделано.
work-mine-empty = За { $period } ваших записей нет.
work-mine-list = Ваши записи за { $period } (последние):
work-history-title = История записи № { $id }:
work-history-created = { $at } — записал(а) { $by }
work-history-changed = { $at } — { $by } исправил(а): { $field }
work-history-deleted = { $at } — { $by } удалил(а) запись
cli-work = Учёт работы ресурсного центра: «add» — одна запись, «import ФАЙЛ» — таблица прошлого сезона (XLSX или CSV), «kinds» — виды работы и листы отчёта, «forget-customer ИМЯ» — убрать человека из всех записей.
cli-work-action = add, import, kinds или forget-customer
cli-work-file = файл для import, имя для forget-customer
cli-work-kind = вид работы (см. «libbot work kinds»); для import — вид строк без столбца «Вид работы»
cli-work-content = что сделано (содержание работы)
cli-work-date = когда: 12.11.2026, 12.11.2026 14:30, 12.11, «вчера» (по умолчанию — сейчас)
cli-work-customer = заказчик: человек или организация
cli-work-executor = исполнитель
cli-work-responsible = ответственный
cli-work-people = сколько человек
cli-work-notes = примечания
cli-work-author = кто записал (для истории записи)
cli-work-dry-run = только проверить: ничего не записывать
cli-work-kinds-title = Виды работы ([work] kinds) и листы отчёта:
cli-work-added = Записано: № { $id }, { $kind }.
cli-work-added-dry = Проверено: запись «{ $kind }» можно сделать (ничего не записано).
cli-work-imported = { $file }: записано { $added }, уже были { $repeated }, с ошибками { $bad }.
cli-work-imported-dry = { $file }: проверка — можно записать { $added }, уже были { $repeated }, с ошибками { $bad } (ничего не записано).
cli-work-bad-rows = Строки с ошибками (исправьте и загрузите файл снова — уже записанные не повторятся):
cli-work-bad-more = …и ещё { $count }
cli-work-forgotten = Убрано из записей: { $count }.
cli-report-period-half = квартал (2026-Q3), полугодие (2026-H1) или месяц (2026-07)
cli-report-public = публичный отчёт для сайта: одна страница HTML с цифрами и графиками, без персональных данных (--year 2026 --out summary.html)
cli-report-public-written = { $out }: публичный отчёт, { $period }
cli-demo-library-system = библиотечная система демо: local (выдачи из CSV) или irbis64 (учебный сервер ИРБИС64 в этом же процессе: читатели, выдачи, каталог и заказы)

## MAX (#24): no two accounts of one person in the same messenger
link-two-in-one = Не получилось: с обеих сторон уже есть аккаунт в одном и том же мессенджере. У одного читателя в каждом мессенджере может быть только один аккаунт.

## Grants calendar and applications (#27)
grants-intro = 🏆 <b>Гранты и конкурсы</b>
    Календарь грантовых конкурсов для НКО и инициативных групп: что открыто сейчас, у чего скоро срок подачи, конкурсы по темам. Подпишитесь на темы — напомним о сроке подачи за 14 и за 3 дня.
grants-now = 📂 Открыты сейчас ({ $count })
grants-soon = ⏰ Скоро срок подачи ({ $count })
grants-topics = 🏷 По темам и напоминания
grants-mine = 📝 Мои заявки
grants-back = ⬅️ Гранты
grants-none = Таких конкурсов сейчас нет.
grants-now-title = Конкурсы, открытые сейчас (ближайший срок подачи — первым):
grants-soon-title = Срок подачи — в ближайшие две недели:
grants-topic-title = Конкурсы по теме «{ $topic }»:
grants-topics-title = Темы конкурсов. Нажмите тему, чтобы увидеть конкурсы, или 🔕/🔔 рядом — чтобы получать напоминания о сроках подачи по этой теме.
grants-follow-every = Все конкурсы
grants-followed = Напомним о сроках: { $topic }
grants-unfollowed = Напоминания отключены: { $topic }
grants-stale = Эта кнопка устарела.
grants-card-title = 🏆 <b>{ $name }</b>
grants-card-operator = Оператор: { $operator }
grants-card-opens = Приём заявок откроется: { $when }
grants-card-deadline = ⏰ Срок подачи: { $when }
grants-card-results = Итоги: { $when }
grants-card-amount = 💰 { $amount }
grants-card-eligible = Кто может подать: { $who }
grants-card-tags = Темы: { $tags }
grants-card-closed = Конкурс снят с календаря.
grants-card-over = Приём заявок завершён.
grants-amount-range = от { $low } до { $high } ₽
grants-amount-up-to = до { $high } ₽
grants-amount-from = от { $low } ₽
grants-link = 🔗 Страница конкурса
grants-prepare = ✍️ Готовлю заявку
grants-open-card = 🏆 Открыть конкурс
grants-ask-organisation = Как называется ваша организация? Напишите название — так заявку учтём за организацией.
grants-bad-organisation = Напишите название организации (от 2 до 300 символов).
grants-same = ✔️ { $value }
grants-skip = Пропустить
grants-org-skipped = Хорошо, без названия.
grants-send-text = Пожалуйста, напишите текстом.
grants-no-organisation = организация не указана
grants-prepared = ✍️ Записали: { $organisation } готовит заявку на конкурс «{ $name }». Статус — «готовится». Напомним о сроке подачи.
    Хотите, чтобы эксперт ресурсного центра посмотрел заявку до подачи?
grants-want-expertise = 📝 Да, нужна экспертиза заявки
grants-consent-first = Чтобы передать заявку эксперту, нужно ваше согласие на обработку персональных данных. После согласия нажмите «Да, нужна экспертиза заявки» ещё раз.
grants-expertise-already = Экспертиза по этой заявке уже запрошена: обращение № { $number }.
grants-expertise-unavailable = Экспертиза заявок сейчас не принимается через бота. Обратитесь в библиотеку.
grants-expertise-question = Экспертиза проектной заявки на конкурс «{ $name }» (оператор: { $operator }). Срок подачи: { $deadline }. Страница конкурса: { $link }. Посмотреть заявку желательно до { $by }.
grants-expertise-when = до { $by }
grants-expertise-made = ✅ Обращение № { $number }: экспертиза заявки на конкурс «{ $name }». Попросили эксперта посмотреть заявку до { $by }. Эксперт или сотрудник напишет вам здесь.
grants-mine-none = У вас пока нет заявок. Откройте конкурс и нажмите «Готовлю заявку».
grants-mine-title = Ваши заявки:
grants-mine-line = • { $name } — { $status }
grants-status-preparing = готовится
grants-status-submitted = подана
grants-status-supported = поддержана
grants-status-rejected = не поддержана
grants-reminder-14d = 🔔 Меньше двух недель до срока подачи заявок на конкурс «{ $name }»: { $when }.
grants-reminder-3d = ⏰ Осталось три дня: срок подачи заявок на конкурс «{ $name }» — { $when }.
grants-result-question = 🏆 Итоги конкурса «{ $name }» должны быть объявлены. Поддержана ли ваша заявка?
grants-result-supported = 🎉 Поддержана
grants-result-rejected = Не поддержана
grants-result-unknown = Ещё не знаю
grants-result-thanks = Спасибо! Записали результат — он войдёт в отчёт ресурсного центра.
grants-result-kept = Спасибо! Результат уже записан сотрудниками.
grants-result-later = Хорошо. Когда узнаете результат, расскажите сотрудникам ресурсного центра.
grants-staff-button = 🏆 Гранты
staff-grants-menu = 🏆 <b>Гранты</b>: календарь конкурсов и заявки организаций. Конкурсы можно загрузить из файла: <code>libbot grants import ФАЙЛ.csv</code>.
staff-grants-add = ➕ Добавить конкурс
staff-grants-list = 📋 Конкурсы
staff-grants-apps = 📝 Заявки
staff-grants-back = ⬅️ Гранты (сотрудникам)
staff-grants-none = В календаре нет конкурсов.
staff-grants-list-title = Конкурсы в календаре:
staff-grants-card = Конкурс № { $number }
    { $card }
staff-grants-edit = ✏️ Изменить
staff-grants-edit-which = Что изменить в конкурсе «{ $name }»?
staff-grants-field-name = Название
staff-grants-field-operator = Оператор
staff-grants-field-link = Ссылка
staff-grants-field-deadline = Срок подачи
staff-grants-field-opens = Начало приёма
staff-grants-field-results = Итоги
staff-grants-field-amount = Сумма
staff-grants-field-eligible = Кто может подать
staff-grants-field-tags = Темы
staff-grants-close = 🚫 Снять с календаря
staff-grants-close-ask = Снять конкурс «{ $name }» с календаря? Заявки на него останутся.
staff-grants-close-yes = Да, снять
staff-grants-closed = Конкурс снят с календаря.
staff-grants-ask-name = Название конкурса?
staff-grants-ask-operator = Оператор (кто проводит конкурс)? Выберите или напишите.
staff-grants-op-1 = Фонд президентских грантов
staff-grants-op-2 = Региональная программа
staff-grants-op-3 = Муниципальная программа
staff-grants-op-4 = Корпоративный фонд
staff-grants-ask-deadline = Срок подачи заявок: дата и время, например 31.03.2027 23:59. Время — по часовому поясу библиотеки; другой пояс можно дописать: 31.03.2027 18:00 Asia/Yekaterinburg.
staff-grants-ask-link = Ссылка на страницу конкурса (http:// или https://)?
staff-grants-ask-opens = Когда открывается приём заявок (дата)?
staff-grants-ask-results = Когда объявят итоги (дата)?
staff-grants-ask-amount = Размер гранта, например: от 100 000 до 3 000 000 или до 500 000.
staff-grants-ask-eligible = Кто может подать заявку (НКО, ТОС, инициативные группы…)?
staff-grants-ask-tags = Темы конкурса через запятую (например: { $suggested }).
staff-grants-ask-requested = Сколько запрошено по заявке, ₽?
staff-grants-ask-granted = Сколько получено (сумма гранта), ₽?
staff-grants-bad = Не подходит: { $reason }.
staff-grants-bad-sum = Напишите сумму цифрами, например 450 000.
staff-grants-skip = Пропустить
staff-grants-cancel = ✖️ Отмена
staff-grants-cancelled = Отменено, ничего не сохранено.
staff-grants-send-text = Пожалуйста, напишите текстом.
staff-grants-saved = ✅ Конкурс № { $number } сохранён.
staff-grants-apps-none = Заявок пока нет.
staff-grants-apps-title = Заявки организаций (новые — первыми). Нажмите заявку, затем её новый статус:
staff-grants-app = Заявка № { $number }: { $organisation }
    Конкурс: { $name }
    Статус: { $status }
staff-grants-app-requested = Запрошено: { $amount } ₽
staff-grants-app-granted = Получено: { $amount } ₽
staff-grants-app-request = Экспертиза: обращение № { $number }
staff-grants-set-requested = ✏️ Запрошено, ₽
staff-grants-set-granted = ✏️ Получено, ₽
staff-grants-moved = Статус: { $status }
staff-grants-not-moved = Статус уже другой — ничего не изменено.
cli-grants = Календарь грантов: «import ФАЙЛ» — загрузить конкурсы из CSV или XLSX (ошибочные строки — по номерам, остальные загружаются).
cli-grants-action = что сделать: import
cli-grants-file = файл конкурсов (CSV или XLSX)
cli-grants-dry-run = только проверить файл, ничего не загружать
cli-grants-imported = { $file }: загружено конкурсов { $added }, уже были { $repeated }, ошибочных строк { $bad }
cli-grants-imported-dry = { $file } (проверка): можно загрузить { $added }, уже были { $repeated }, ошибочных строк { $bad }
cli-grants-bad-rows = Ошибочные строки:
cli-grants-bad-more = …и ещё { $count }

## Half-year choices of «📑 Отчёт» (#25; the buttons are ReportPeriod h0/h1)
report-period-h0 = Это полугодие
report-period-h1 = Прошлое полугодие

## «📝 Записать работу»: typing while the draft waits for a button (#25)
work-use-buttons = Запись ещё не сохранена: нажмите «✅ Готово», чтобы сохранить, или кнопку поля, чтобы дополнить.

## Grants calendar: reminders of one contest's deadline (#27)
grants-watch = 🔔 Напомнить о сроке
grants-unwatch = 🔕 Не напоминать о сроке
grants-watched = Напомним о сроке подачи за 14 и за 3 дня.
grants-unwatched = Напоминания об этом конкурсе отключены.

## Оценка после услуги (#26)
rating-event-question =
    Вы были на «{ $title }» ({ $when }). Как вам? Оцените, пожалуйста, от 1 до 5 — это необязательно.
rating-score-5 = 5 — отлично
rating-score-4 = 4 — хорошо
rating-score-3 = 3 — нормально
rating-score-2 = 2 — плохо
rating-score-1 = 1 — очень плохо
rating-stop = Не спрашивать больше
rating-comment = Спасибо за оценку { $rating }! Хотите что-то добавить? Напишите одним сообщением.
rating-no-comment = Без комментария
rating-thanks = Спасибо за оценку!
rating-comment-saved = Спасибо, мы прочитаем!
rating-already = Оценка уже сохранена, спасибо!
rating-not-yours = Эта оценка не ваша — её не изменить.
rating-stopped = Хорошо, больше не будем спрашивать об оценках.
rating-send-text = Напишите комментарий текстом или нажмите «Без комментария».

# The consultation topics lead to the grants calendar too (#27)
rq-grants = 🏆 Гранты и конкурсы

# Grants calendar review (#27): staff page through the applications
staff-grants-apps-more = Ещё ▶
