"""The grants calendar (#27): contests staff add or import, readers' topic subscriptions, and
organisations' applications with their outcomes. `models` holds the tables; `contests`,
`subscriptions`, `applications` and `files` the rules about them."""
