"""The flow's buttons: inline ones carry `…Cb` data, reply-keyboard ones request a location or
the citizen's phone number (only a reply keyboard can) and send their label as text."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiogram.filters.callback_data import CallbackData
from aiogram.types import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
)

from bot import texts
from bot.texts import reports as words
from reports import CATEGORY_NAMES, DISTRICTS

if TYPE_CHECKING:
    from knowledge.scripts import Script


class StepCb(CallbackData, prefix="rp"):
    """Moving through the flow: back, cancel, share (the location, consenting), address (to
    be typed), area (the district only), districts (the list, not the one proposed), done
    (photos), keep (filing), submit, edit, review (the summary again)."""

    action: str


class CategoryCb(CallbackData, prefix="rpc"):
    code: str


class DistrictCb(CallbackData, prefix="rpd"):
    n: int  # position in reports.DISTRICTS (names are long in UTF-8: 64-byte limit)


class EditCb(CallbackData, prefix="rpe"):
    field: str


class FollowCb(CallbackData, prefix="rpf"):
    ticket: str


class AddCb(CallbackData, prefix="rpa"):
    """Add to my report: `start` (from /myreports), `done` or `cancel`, for a ticket. The
    ticket is a claim: the handler checks the report is the caller's own."""

    action: str
    ticket: str


def _button(label: str, script: Script, data: CallbackData) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=texts.say(label, script), callback_data=data.pack())


def _rows(buttons: list[InlineKeyboardButton], width: int) -> list[list[InlineKeyboardButton]]:
    return [buttons[i : i + width] for i in range(0, len(buttons), width)]


def _navigation(script: Script, *, back: bool = True) -> list[InlineKeyboardButton]:
    row = [_button(words.BUTTON_BACK, script, StepCb(action="back"))] if back else []
    return [*row, _button(words.BUTTON_CANCEL, script, StepCb(action="cancel"))]


def categories(script: Script) -> InlineKeyboardMarkup:
    buttons = [
        _button(name, script, CategoryCb(code=c.value)) for c, name in CATEGORY_NAMES.items()
    ]
    return InlineKeyboardMarkup(
        inline_keyboard=[*_rows(buttons, 2), _navigation(script, back=False)]
    )


def districts(script: Script) -> InlineKeyboardMarkup:
    buttons = [_button(name, script, DistrictCb(n=n)) for n, name in enumerate(DISTRICTS)]
    return InlineKeyboardMarkup(inline_keyboard=[*_rows(buttons, 2), _navigation(script)])


def proposed_district(script: Script, district: str) -> InlineKeyboardMarkup:
    """是 (the district read from the place) or 选择其他区县 (the whole list)."""
    yes = _button(words.BUTTON_YES, script, DistrictCb(n=DISTRICTS.index(district)))
    other = _button(words.BUTTON_OTHER_DISTRICT, script, StepCb(action="districts"))
    return InlineKeyboardMarkup(inline_keyboard=[[yes, other], _navigation(script)])


def consent(script: Script) -> InlineKeyboardMarkup:
    """How to give the place: share the location (the consent), type an address, or neither."""
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [_button(words.BUTTON_CONSENT_LOCATION, script, StepCb(action="share"))],
            [
                _button(words.BUTTON_TYPE_ADDRESS, script, StepCb(action="address")),
                _button(words.BUTTON_DISTRICT_ONLY, script, StepCb(action="area")),
            ],
            _navigation(script),
        ]
    )


def navigation(script: Script) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[_navigation(script)])


def photos(script: Script) -> InlineKeyboardMarkup:
    done = [_button(words.BUTTON_DONE, script, StepCb(action="done"))]
    return InlineKeyboardMarkup(inline_keyboard=[done, _navigation(script)])


def similar(script: Script, tickets: list[str]) -> InlineKeyboardMarkup:
    follow = [
        [
            InlineKeyboardButton(
                text=texts.say(words.BUTTON_FOLLOW, script).format(ticket=ticket),
                callback_data=FollowCb(ticket=ticket).pack(),
            )
        ]
        for ticket in tickets
    ]
    keep = [_button(words.BUTTON_KEEP_FILING, script, StepCb(action="keep"))]
    return InlineKeyboardMarkup(inline_keyboard=[*follow, keep, _navigation(script)])


def summary(script: Script) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                _button(words.BUTTON_SUBMIT, script, StepCb(action="submit")),
                _button(words.BUTTON_EDIT, script, StepCb(action="edit")),
            ],
            _navigation(script),
        ]
    )


def edit_fields(script: Script) -> InlineKeyboardMarkup:
    buttons = [
        _button(label, script, EditCb(field=name)) for name, label in words.EDIT_FIELDS.items()
    ]
    back = [_button(words.BUTTON_BACK, script, StepCb(action="review"))]
    return InlineKeyboardMarkup(inline_keyboard=[*_rows(buttons, 3), back])


def my_reports(script: Script, tickets: list[str]) -> InlineKeyboardMarkup | None:
    """/myreports: 补充材料 for each open report listed; None when none is open."""
    rows = [
        [
            InlineKeyboardButton(
                text=texts.say(words.BUTTON_ADD, script).format(ticket=ticket),
                callback_data=AddCb(action="start", ticket=ticket).pack(),
            )
        ]
        for ticket in tickets
    ]
    return InlineKeyboardMarkup(inline_keyboard=rows) if rows else None


def addition(script: Script, ticket: str) -> InlineKeyboardMarkup:
    """While adding to a report: 完成 (written to the report) or 取消."""
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                _button(words.BUTTON_DONE, script, AddCb(action="done", ticket=ticket)),
                _button(words.BUTTON_CANCEL, script, AddCb(action="cancel", ticket=ticket)),
            ]
        ]
    )


def _reply(rows: list[list[KeyboardButton]], script: Script) -> ReplyKeyboardMarkup:
    navigation_row = [
        KeyboardButton(text=texts.say(words.BUTTON_BACK, script)),
        KeyboardButton(text=texts.say(words.BUTTON_CANCEL, script)),
    ]
    return ReplyKeyboardMarkup(
        keyboard=[*rows, navigation_row], resize_keyboard=True, one_time_keyboard=False
    )


def location(script: Script) -> ReplyKeyboardMarkup:
    return _reply(
        [
            [
                KeyboardButton(
                    text=texts.say(words.BUTTON_SEND_LOCATION, script), request_location=True
                )
            ],
            [KeyboardButton(text=texts.say(words.BUTTON_SKIP, script))],
        ],
        script,
    )


def contact(script: Script) -> ReplyKeyboardMarkup:
    return _reply(
        [
            [
                KeyboardButton(
                    text=texts.say(words.BUTTON_SHARE_PHONE, script), request_contact=True
                )
            ],
            [
                KeyboardButton(text=texts.say(words.BUTTON_NO_PHONE, script)),
                KeyboardButton(text=texts.say(words.BUTTON_ANONYMOUS, script)),
            ],
        ],
        script,
    )


def labels(*buttons: str) -> frozenset[str]:
    """Reply-keyboard labels as either script shows them, for matching what was pressed."""
    return frozenset().union(*(texts.both_scripts(button) for button in buttons))
