"""What the citizen enters at each step, checked as it arrives. Anything unexpected (a sticker
where text is wanted, a 6th photo, an overlong description) gets a hint and changes nothing."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from aiogram import F, Router
from aiogram.filters import StateFilter

from bot import texts
from bot.routers.report import keyboards, steps
from bot.routers.report.draft import Draft, ReportFlow
from bot.routers.report.keyboards import CategoryCb, DistrictCb, StepCb
from bot.routers.report.photos import incoming_evidence, receive
from bot.texts import reports as words
from reports import DISTRICTS, InvalidReport, check_district, parse_category
from reports.media import MAX_RECORDINGS, PHOTO, RECORDINGS
from reports.places import district_named
from reports.validation import MAX_ADDRESS, MAX_DESCRIPTION, check_phone

if TYPE_CHECKING:
    from aiogram.fsm.state import State
    from aiogram.types import CallbackQuery, Message

    from bot.routers.report.context import Turn

log = logging.getLogger(__name__)
router = Router(name=__name__)

MENU = keyboards.labels(texts.MENU_ASK, texts.MENU_REPORT, texts.MENU_CAMPAIGNS, texts.MENU_HELP)
# Typed input: not a command (other routers answer those) and not a main-menu button.
TYPED = F.text & ~F.text.startswith("/") & ~F.text.in_(MENU)
SKIP = keyboards.labels(words.BUTTON_SKIP)
DONE = keyboards.labels(words.BUTTON_DONE)
NO_PHONE = keyboards.labels(words.BUTTON_NO_PHONE)
ANONYMOUS = keyboards.labels(words.BUTTON_ANONYMOUS)
EVIDENCE = F.photo | F.document | F.voice | F.video | F.video_note
RECORDING = F.voice | F.video | F.video_note


# --- category -------------------------------------------------------------------------------
@router.callback_query(ReportFlow.category, CategoryCb.filter())
async def choose_category(query: CallbackQuery, callback_data: CategoryCb, turn: Turn) -> None:
    await query.answer()
    await _set_category(turn, callback_data.code)


@router.message(ReportFlow.category, TYPED)
async def type_category(message: Message, turn: Turn) -> None:
    await _set_category(turn, texts.simplified(message.text or ""))


async def _set_category(turn: Turn, value: str) -> None:
    try:
        code = parse_category(value)
    except InvalidReport:
        await turn.send(words.HINT_CATEGORY)
        return
    draft = await Draft.load(turn.state)
    draft.category = code.value
    await steps.advance(turn, draft, ReportFlow.category)


# --- description ----------------------------------------------------------------------------
@router.message(ReportFlow.description, TYPED)
async def describe(message: Message, turn: Turn) -> None:
    text = (message.text or "").strip()
    if not text:
        await turn.send(words.HINT_DESCRIPTION)
        return
    if len(text) > MAX_DESCRIPTION:
        await turn.send(words.DESCRIPTION_TOO_LONG, length=len(text), max=MAX_DESCRIPTION)
        return
    draft = await Draft.load(turn.state)
    draft.description = text
    await steps.advance(turn, draft, ReportFlow.description)


@router.message(ReportFlow.description, RECORDING)
async def describe_by_voice(message: Message, turn: Turn) -> None:
    """A voice note (or a video) where the description is expected: kept as evidence, and a
    line of text still asked for (staff read, search and route the description)."""
    incoming = incoming_evidence(message)
    assert incoming is not None
    markup = keyboards.navigation(turn.script)
    draft = await Draft.load(turn.state)
    if draft.count(*RECORDINGS) >= MAX_RECORDINGS:  # enough recordings: text is what is missing
        await turn.send(words.HINT_DESCRIPTION, markup=markup)
        return
    stored = await receive(turn, incoming, markup=markup)
    if stored is None:
        return
    draft.add_evidence(stored)  # the same recording again is kept once
    await draft.save(turn.state)
    what = turn.word(words.RECORDING_WHAT[stored.kind])
    await turn.send(words.RECORDING_KEPT_ASK_TEXT, what=what, markup=markup)


# --- location: its own consent first (PIPL Art. 29), then the point; or an address; or none -
@router.callback_query(ReportFlow.consent, StepCb.filter(F.action == "share"))
async def consent_to_location(query: CallbackQuery, turn: Turn) -> None:
    """The separate consent to share the precise location: recorded, then the point asked."""
    await query.answer()
    draft = await Draft.load(turn.state)
    draft.location_consent = turn.clock.now().isoformat()
    await steps.ask(turn, ReportFlow.location, draft)


@router.callback_query(ReportFlow.consent, StepCb.filter(F.action == "address"))
async def choose_address(query: CallbackQuery, turn: Turn) -> None:
    await query.answer()
    await steps.ask(turn, ReportFlow.address, await Draft.load(turn.state))


@router.callback_query(ReportFlow.consent, StepCb.filter(F.action == "area"))
async def district_only(query: CallbackQuery, turn: Turn) -> None:
    await query.answer()
    await _no_place(turn, ReportFlow.consent)


@router.message(ReportFlow.location, F.location)
async def share_location(message: Message, turn: Turn) -> None:
    assert message.location is not None
    draft = await Draft.load(turn.state)
    if draft.location_consent is None:  # a draft from before the consent step: ask it now
        await _consent_first(turn, draft)
        return
    venue = message.venue
    address = f"{venue.title} {venue.address}".strip() if venue is not None else None
    draft.set_location(
        lat=message.location.latitude,
        lon=message.location.longitude,
        address=address[:MAX_ADDRESS] if address else None,
    )
    await steps.remove_reply_keyboard(turn, words.GOT_LOCATION)
    await steps.advance(turn, draft, ReportFlow.location)


@router.message(StateFilter(ReportFlow.consent, ReportFlow.address), F.location)
async def location_before_consent(message: Message, turn: Turn) -> None:
    """A location sent without the consent (the attachment menu): not kept, consent asked."""
    await _consent_first(turn, await Draft.load(turn.state))


async def _consent_first(turn: Turn, draft: Draft) -> None:
    log.info("a location arrived before its consent: not stored")
    await turn.send(words.CONSENT_FIRST)
    await steps.ask(turn, ReportFlow.consent, draft)


@router.message(
    StateFilter(ReportFlow.consent, ReportFlow.location, ReportFlow.address), F.text.in_(SKIP)
)
async def skip_location(message: Message, turn: Turn) -> None:
    await _no_place(turn, ReportFlow.location)


async def _no_place(turn: Turn, done: State) -> None:
    draft = await Draft.load(turn.state)
    draft.set_location()
    await steps.remove_reply_keyboard(turn, words.SKIPPED_LOCATION)
    await steps.advance(turn, draft, done)


@router.message(StateFilter(ReportFlow.consent, ReportFlow.location, ReportFlow.address), TYPED)
async def type_address(message: Message, turn: Turn) -> None:
    address = " ".join((message.text or "").split())
    if len(address) > MAX_ADDRESS:
        await turn.send(words.ADDRESS_TOO_LONG, max=MAX_ADDRESS)
        return
    draft = await Draft.load(turn.state)
    draft.set_location(address=address)
    await steps.remove_reply_keyboard(turn, words.GOT_ADDRESS)
    await steps.advance(turn, draft, ReportFlow.address)


# --- district -------------------------------------------------------------------------------
@router.callback_query(ReportFlow.district, DistrictCb.filter())
async def choose_district(query: CallbackQuery, callback_data: DistrictCb, turn: Turn) -> None:
    await query.answer()
    if not 0 <= callback_data.n < len(DISTRICTS):
        await turn.send(words.HINT_DISTRICT)
        return
    await _set_district(turn, DISTRICTS[callback_data.n])


@router.callback_query(ReportFlow.district, StepCb.filter(F.action == "districts"))
async def other_district(query: CallbackQuery, turn: Turn) -> None:
    """The district proposed is not right: the whole list."""
    await query.answer()
    await steps.ask_district_list(turn)


@router.message(ReportFlow.district, TYPED)
async def type_district(message: Message, turn: Turn) -> None:
    typed = texts.simplified(message.text or "")
    try:
        district = check_district(typed)
    except InvalidReport:
        named = district_named(typed)  # 玉屏, 高新区, a township: what people call it
        if named is None:
            await turn.send(words.HINT_DISTRICT)
            return
        district = named
    await _set_district(turn, district)


async def _set_district(turn: Turn, district: str) -> None:
    draft = await Draft.load(turn.state)
    draft.district = district
    await steps.advance(turn, draft, ReportFlow.district)


# --- photos, voice notes, videos --------------------------------------------------------
@router.message(ReportFlow.photos, EVIDENCE)
async def add_evidence(message: Message, turn: Turn) -> None:
    incoming = incoming_evidence(message)
    if incoming is None:
        await _photo_hint(turn)
        return
    draft = await Draft.load(turn.state)
    markup = keyboards.photos(turn.script)
    if await _full(turn, draft, incoming.kind, markup):
        return
    stored = await receive(turn, incoming, markup=markup)
    if stored is None:
        return
    if not draft.add_evidence(stored):
        await turn.send(words.PHOTO_AGAIN if stored.kind == PHOTO else words.RECORDING_AGAIN)
        return
    await draft.save(turn.state)
    if stored.kind == PHOTO:
        limit = turn.reports.limits.max_photos
        await turn.send(words.GOT_PHOTO, count=draft.count(PHOTO), max=limit, markup=markup)
    else:
        await turn.send(words.GOT_RECORDING[stored.kind], max=MAX_RECORDINGS, markup=markup)


async def _full(turn: Turn, draft: Draft, kind: str, markup: object) -> bool:
    """The draft holds all the photos (or voice notes and videos) a report may: said so."""
    if kind == PHOTO:
        limit = turn.reports.limits.max_photos
        if draft.count(PHOTO) >= limit:
            await turn.send(words.TOO_MANY_PHOTOS, max=limit, markup=markup)
            return True
    elif draft.count(*RECORDINGS) >= MAX_RECORDINGS:
        await turn.send(words.TOO_MANY_RECORDINGS, max=MAX_RECORDINGS, markup=markup)
        return True
    return False


@router.callback_query(ReportFlow.photos, StepCb.filter(F.action == "done"))
async def photos_done_by_button(query: CallbackQuery, turn: Turn) -> None:
    await query.answer()
    await steps.advance(turn, await Draft.load(turn.state), ReportFlow.photos)


@router.message(ReportFlow.photos, F.text.in_(DONE))
async def photos_done_by_text(message: Message, turn: Turn) -> None:
    await steps.advance(turn, await Draft.load(turn.state), ReportFlow.photos)


async def _photo_hint(turn: Turn) -> None:
    draft = await Draft.load(turn.state)
    await turn.send(
        words.HINT_PHOTOS, count=len(draft.photos), markup=keyboards.photos(turn.script)
    )


# --- contact --------------------------------------------------------------------------------
@router.message(ReportFlow.contact, F.contact)
async def share_phone(message: Message, turn: Turn) -> None:
    contact = message.contact
    assert contact is not None
    if contact.user_id != turn.user_id:  # a forwarded card: someone else's number
        await turn.send(words.NOT_YOUR_CONTACT)
        return
    try:
        phone = check_phone(contact.phone_number)
    except InvalidReport:
        await turn.send(words.HINT_CONTACT)
        return
    await _set_contact(turn, "phone", phone)


@router.message(ReportFlow.contact, F.text.in_(NO_PHONE))
async def no_phone(message: Message, turn: Turn) -> None:
    await _set_contact(turn, "none", None)


@router.message(ReportFlow.contact, F.text.in_(ANONYMOUS))
async def anonymous(message: Message, turn: Turn) -> None:
    await _set_contact(turn, "anonymous", None)


async def _set_contact(turn: Turn, contact: str, phone: str | None) -> None:
    draft = await Draft.load(turn.state)
    draft.contact, draft.phone = contact, phone  # type: ignore[assignment]
    await steps.remove_reply_keyboard(turn, words.NOTED)
    await steps.advance(turn, draft, ReportFlow.contact)


# --- anything else at a step: a hint, and the draft stays as it was ------------------------
HINTS = {
    ReportFlow.category: words.HINT_CATEGORY,
    ReportFlow.description: words.HINT_DESCRIPTION,
    ReportFlow.consent: words.HINT_CONSENT,
    ReportFlow.location: words.HINT_LOCATION,
    ReportFlow.address: words.HINT_ADDRESS,
    ReportFlow.district: words.HINT_DISTRICT,
    ReportFlow.contact: words.HINT_CONTACT,
}


NOT_FOR_OTHERS = (~F.text.startswith("/"), ~F.text.in_(MENU))  # commands, menu: other routers


@router.message(ReportFlow.photos, *NOT_FOR_OTHERS)
async def photos_hint(message: Message, turn: Turn) -> None:
    await _photo_hint(turn)


@router.message(StateFilter(*HINTS), *NOT_FOR_OTHERS)
async def hint(message: Message, turn: Turn, raw_state: str | None) -> None:
    state = next(state for state in HINTS if state.state == raw_state)
    await turn.send(HINTS[state])
