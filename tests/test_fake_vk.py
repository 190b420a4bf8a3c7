"""The fake VK API, driven by the real vk_api client, refuses and answers what VK does."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from io import BytesIO
from typing import Any

import pytest
import requests
import vk_api
from requests.adapters import HTTPAdapter
from vk_api.bot_longpoll import VkBotEventType, VkBotLongPoll
from vk_api.exceptions import ApiError, ApiHttpError
from vk_api.keyboard import VkKeyboard

from tests.fakes import vk_api as fake_module
from tests.fakes.vk_api import FakeVk

USER = 1001
OTHER = 1002


class RewriteAdapter(HTTPAdapter):
    """Sends what vk_api addresses to api.vk.ru to the fake instead."""

    def __init__(self, base_url: str) -> None:
        super().__init__()
        self.base_url = base_url

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        request.url = (request.url or "").replace("https://api.vk.ru", self.base_url, 1)
        kwargs["proxies"] = {}  # proxies were chosen for api.vk.ru, not for 127.0.0.1
        return super().send(request, **kwargs)


@pytest.fixture
async def fake() -> AsyncIterator[FakeVk]:
    server = await FakeVk().start()
    yield server
    await server.stop()


@pytest.fixture
def vk(fake: FakeVk) -> Iterator[vk_api.VkApiGroup]:
    session = vk_api.VkApiGroup(token=fake.token, api_version="5.199")
    session.http.mount("https://api.vk.ru/", RewriteAdapter(fake.base_url))
    yield session
    session.http.close()


async def call(vk: vk_api.VkApiGroup, method: str, **values: Any) -> Any:
    """vk_api blocks; the fake serves on this test's event loop, so call it from a thread.

    Lists are comma-joined here, as vk_api's VkApiMethod does before it calls method().
    """
    for name, value in values.items():
        if isinstance(value, list):
            values[name] = ",".join(str(item) for item in value)
    return await asyncio.to_thread(vk.method, method, values)


def inline_keyboard(rows: int, **action: str) -> str:
    """An inline keyboard of `rows` one-button rows; `action` overrides the button's fields."""
    buttons = [[{"action": {"type": "text", "label": "Да", **action}}] for _ in range(rows)]
    return json.dumps({"inline": True, "buttons": buttons})


async def test_send_answers_message_ids_and_dedupes_by_random_id(
    fake: FakeVk, vk: vk_api.VkApiGroup
) -> None:
    first = await call(vk, "messages.send", peer_id=USER, random_id=11, message="Привет")
    again = await call(vk, "messages.send", peer_id=USER, random_id=11, message="Привет")
    other = await call(vk, "messages.send", user_id=USER, random_id=12, message="Ещё")

    assert first == again != other
    assert fake.delivered == [(USER, "Привет"), (USER, "Ещё")]
    assert fake.messages[(USER, 1)]["text"] == "Привет"
    assert fake.messages[(USER, 2)]["message_id"] == other
    assert [c.peer_ids for c in fake.calls_of("messages.send")] == [[USER]] * 3

    with pytest.raises(ApiError) as missing:
        await call(vk, "messages.send", peer_id=USER, message="без random_id")
    assert missing.value.code == 100
    assert "random_id" in missing.value.error["error_msg"]
    with pytest.raises(ApiError) as empty:
        await call(vk, "messages.send", peer_id=USER, random_id=13, message=" ")
    assert empty.value.code == 100


async def test_peer_ids_report_a_forbidden_peer_and_deliver_to_the_rest(
    fake: FakeVk, vk: vk_api.VkApiGroup
) -> None:
    fake.forbidden[OTHER] = 901

    answer = await call(vk, "messages.send", peer_ids=[USER, OTHER], random_id=5, message="Анонс")

    assert answer[0] == {"peer_id": USER, "message_id": 1, "conversation_message_id": 1}
    assert answer[1]["peer_id"] == OTHER
    assert answer[1]["error"]["code"] == 901
    assert fake.delivered == [(USER, "Анонс")]
    with pytest.raises(ApiError) as single:
        await call(vk, "messages.send", peer_id=OTHER, random_id=6, message="Анонс")
    assert single.value.code == 901


@pytest.mark.parametrize(
    ("keyboard", "why"),
    [
        (inline_keyboard(7), "too many rows"),
        (inline_keyboard(1, label="x" * 41), "label is too long"),
        (inline_keyboard(1, type="open_link"), "needs link"),
        (inline_keyboard(1, payload="{cmd"), "payload"),
        (json.dumps({"one_time": True, "inline": True, "buttons": []}), "one_time"),
        (json.dumps({"buttons": []}), "one_time"),  # a reply keyboard must state one_time
    ],
    ids=[
        "7-inline-rows",
        "41-char-label",
        "link-without-url",
        "bad-payload",
        "one-time-inline",
        "no-one-time",
    ],
)
async def test_invalid_keyboards_are_refused_with_911(
    fake: FakeVk, vk: vk_api.VkApiGroup, keyboard: str, why: str
) -> None:
    with pytest.raises(ApiError) as refused:
        await call(
            vk, "messages.send", peer_id=USER, random_id=1, message="Меню", keyboard=keyboard
        )
    assert refused.value.code == 911
    assert why in refused.value.error["error_msg"]
    assert fake.delivered == []


async def test_a_vk_api_keyboard_is_accepted_and_its_buttons_recorded(
    fake: FakeVk, vk: vk_api.VkApiGroup
) -> None:
    keyboard = VkKeyboard(inline=True)
    keyboard.add_callback_button("Продлить", payload={"cmd": "renew", "loan": 7})
    keyboard.add_button("Отмена")

    await call(
        vk,
        "messages.send",
        peer_id=USER,
        random_id=1,
        message="Книга",
        keyboard=keyboard.get_keyboard(),
    )

    buttons = fake.calls_of("messages.send")[0].buttons()
    assert [b["label"] for b in buttons] == ["Продлить", "Отмена"]
    assert json.loads(buttons[0]["payload"]) == {"cmd": "renew", "loan": 7}
    assert fake.messages[(USER, 1)]["keyboard"]["inline"] is True


async def test_long_poll_delivers_pushed_events_and_wait_processed_follows_the_bot(
    fake: FakeVk, vk: vk_api.VkApiGroup
) -> None:
    longpoll = await asyncio.to_thread(VkBotLongPoll, vk, fake.group_id, 1)
    try:
        ts = fake.message_new(USER, "каталог", payload={"cmd": "start"})
        events = await asyncio.to_thread(longpoll.check)

        assert [e.type for e in events] == [VkBotEventType.MESSAGE_NEW]
        assert events[0].message.text == "каталог"
        assert json.loads(events[0].message.payload) == {"cmd": "start"}
        assert events[0].client_info["inline_keyboard"] is True
        assert events[0].from_user
        # The next poll asks for what comes after the event: the bot is done with it.
        await asyncio.gather(asyncio.to_thread(longpoll.check), fake.wait_processed(ts))

        fake.fail_longpoll(2)  # the key expired: vk_api asks for a new server and goes on
        assert await asyncio.to_thread(longpoll.check) == []
        later = fake.message_event(USER, {"cmd": "renew"}, conversation_message_id=1)
        events = await asyncio.to_thread(longpoll.check)
        assert events[0].object.payload == {"cmd": "renew"}
        assert fake.update(later)["type"] == "message_event"
        assert len(fake.calls_of("groups.getLongPollServer")) == 2
        assert fake.longpoll_requests == 4
    finally:
        longpoll.session.close()


async def test_wait_processed_names_the_event_the_bot_never_finished(
    fake: FakeVk, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fake_module, "PROCESSING_TIMEOUT", 0.1)
    ts = fake.message_new(USER, "Забытое сообщение")

    with pytest.raises(AssertionError, match="Забытое сообщение"):
        await fake.wait_processed(ts)


async def test_long_poll_server_is_only_for_the_token_s_own_community(
    fake: FakeVk, vk: vk_api.VkApiGroup
) -> None:
    with pytest.raises(ApiError) as wrong:
        await call(vk, "groups.getLongPollServer", group_id=fake.group_id + 1)
    assert wrong.value.code == 100


async def test_edit_delete_and_get_by_conversation_message_id(
    fake: FakeVk, vk: vk_api.VkApiGroup
) -> None:
    fake.message_new(USER, "привет")  # the user's message takes cmid 1 of the conversation
    await call(
        vk, "messages.send", peer_id=USER, random_id=1, message="Меню", keyboard=inline_keyboard(2)
    )

    assert await call(vk, "messages.edit", peer_id=USER, cmid=2, message="Меню (обновлено)") == 1
    got = await call(
        vk, "messages.getByConversationMessageId", peer_id=USER, conversation_message_ids=[2, 99]
    )
    assert got["count"] == 1
    assert got["items"][0]["text"] == "Меню (обновлено)"
    assert "keyboard" not in got["items"][0]  # an edit without a keyboard drops it

    with pytest.raises(ApiError) as emptied:
        await call(vk, "messages.edit", peer_id=USER, cmid=2, message="")
    assert emptied.value.code == 100
    fake.too_old_to_edit.add(2)
    with pytest.raises(ApiError) as too_old:
        await call(vk, "messages.edit", peer_id=USER, cmid=2, message="поздно")
    assert too_old.value.code == 909
    fake.undeletable.add(2)
    with pytest.raises(ApiError) as kept:
        await call(vk, "messages.delete", peer_id=USER, cmids=[2], delete_for_all=1)
    assert kept.value.code == 924

    fake.undeletable.clear()
    answer = await call(vk, "messages.delete", peer_id=USER, cmids=[2], delete_for_all=1)
    assert answer == [
        {"peer_id": USER, "message_id": 2, "conversation_message_id": 2, "response": 1}
    ]
    assert fake.deleted == [(USER, 2)]
    got = await call(
        vk, "messages.getByConversationMessageId", peer_id=USER, conversation_message_ids=2
    )
    assert got == {"count": 0, "items": []}


async def test_message_event_answers_only_for_events_the_fake_sent(
    fake: FakeVk, vk: vk_api.VkApiGroup
) -> None:
    ts = fake.message_event(USER, {"cmd": "renew"}, conversation_message_id=3)
    event_id = fake.update(ts)["object"]["event_id"]
    snackbar = json.dumps({"type": "show_snackbar", "text": "Продлено"})

    answer = {"event_id": event_id, "user_id": USER, "peer_id": USER}
    too_long_data = json.dumps({"type": "show_snackbar", "text": "я" * 91})

    with pytest.raises(ApiError) as too_long:
        await call(vk, "messages.sendMessageEventAnswer", **answer, event_data=too_long_data)
    assert too_long.value.code == 100
    assert await call(vk, "messages.sendMessageEventAnswer", **answer, event_data=snackbar) == 1
    assert fake.event_answers == {event_id: {"type": "show_snackbar", "text": "Продлено"}}
    assert fake.calls_of("messages.sendMessageEventAnswer")[-1].event_data["text"] == "Продлено"

    for unknown in (event_id, "0123456789ab"):  # answered already; never sent
        with pytest.raises(ApiError) as refused:
            await call(
                vk, "messages.sendMessageEventAnswer", event_id=unknown, user_id=USER, peer_id=USER
            )
        assert refused.value.code == 100


async def test_documents_and_photos_round_trip_through_vk_upload(
    fake: FakeVk, vk: vk_api.VkApiGroup
) -> None:
    upload = vk_api.VkUpload(vk)
    try:
        saved = await asyncio.to_thread(
            upload.document_message, BytesIO(b"%PDF-1.4 list"), title="Список.pdf", peer_id=USER
        )
        photos = await asyncio.to_thread(upload.photo_messages, BytesIO(b"\x89PNG chart"))
    finally:
        upload.http.close()

    doc, photo = saved["doc"], photos[0]
    assert saved["type"] == "doc"
    assert (doc["owner_id"], doc["title"], doc["ext"], doc["size"]) == (
        -777,
        "Список.pdf",
        "pdf",
        13,
    )
    doc_key = f"doc{doc['owner_id']}_{doc['id']}"
    photo_key = f"photo{photo['owner_id']}_{photo['id']}"
    assert fake.uploads[doc_key] == ("Список.pdf", b"%PDF-1.4 list")
    assert fake.uploads[photo_key] == ("file0.jpg", b"\x89PNG chart")

    attachment = f"{doc_key},{photo_key}_{photo['access_key']}"
    await call(vk, "messages.send", peer_id=USER, random_id=1, attachment=attachment)
    got = await call(
        vk, "messages.getByConversationMessageId", peer_id=USER, conversation_message_ids=1
    )
    assert [a["type"] for a in got["items"][0]["attachments"]] == ["doc", "photo"]
    with pytest.raises(ApiError) as unknown:
        await call(vk, "messages.send", peer_id=USER, random_id=2, attachment="doc-777_999")
    assert unknown.value.code == 100


async def test_injected_failures_and_basic_refusals(fake: FakeVk, vk: vk_api.VkApiGroup) -> None:
    fake.fail_next("messages.send", 10)
    with pytest.raises(ApiError) as server:
        await call(vk, "messages.send", peer_id=USER, random_id=1, message="раз")
    assert (server.value.code, server.value.error["error_msg"]) == (10, "Internal server error")
    assert await call(vk, "messages.send", peer_id=USER, random_id=1, message="раз") == 1

    fake.fail_next_http("messages.setActivity", 502)
    with pytest.raises(ApiHttpError) as gateway:
        await call(vk, "messages.setActivity", peer_id=USER, type="typing")
    assert gateway.value.response.status_code == 502
    fake.slow["messages.setActivity"] = 0.2
    started = asyncio.get_running_loop().time()
    assert await call(vk, "messages.setActivity", peer_id=USER, type="typing") == 1
    assert asyncio.get_running_loop().time() - started >= 0.2

    with pytest.raises(ApiError) as unknown_method:
        await call(vk, "messages.teleport", peer_id=USER)
    assert unknown_method.value.code == 3
    with pytest.raises(ApiError) as no_version:
        await call(vk, "users.get", user_ids=USER, v="")
    assert no_version.value.code == 8
    with pytest.raises(ApiError) as bad_token:
        await call(vk, "users.get", user_ids=USER, access_token="stolen")
    assert bad_token.value.code == 5
    assert {"key": "method", "value": "users.get"} in bad_token.value.error["request_params"]


async def test_users_and_groups(fake: FakeVk, vk: vk_api.VkApiGroup) -> None:
    fake.add_user(USER, "Анна", "Петрова")

    profiles = await call(vk, "users.get", user_ids=[USER, OTHER])
    group = await call(vk, "groups.getById", group_id=fake.group_id)

    assert [(p["id"], p["first_name"]) for p in profiles] == [(USER, "Анна"), (OTHER, "DELETED")]
    assert group["groups"][0]["screen_name"] == "club777"
    assert group["profiles"] == []


async def test_schema_limits_apply_when_the_spec_is_present(
    fake: FakeVk, vk: vk_api.VkApiGroup
) -> None:
    if fake.spec is None:
        pytest.skip("shared/specs/vk-api-schema is not here: only presence checks apply")
    with pytest.raises(ApiError) as not_integer:
        await call(vk, "messages.send", peer_id="друг", random_id=1, message="x")
    assert "peer_id not integer" in not_integer.value.error["error_msg"]
    with pytest.raises(ApiError) as too_many:
        await call(vk, "messages.send", peer_ids=list(range(1, 102)), random_id=1, message="x")
    assert too_many.value.code == 100
    with pytest.raises(ApiError) as too_long:
        await call(vk, "messages.send", peer_id=USER, random_id=1, message="я" * 9001)
    assert too_long.value.code == 914
    with pytest.raises(ApiError) as bad_activity:
        await call(vk, "messages.setActivity", peer_id=USER, type="dancing")
    assert bad_activity.value.code == 100
