"""Asking for each step, and moving forward, back or out of the flow.

Forward is category → description → consent → district → (similar reports) → photos →
contact → summary; from the summary's 修改 a step returns straight to the summary. Back retraces
the same order and keeps what was entered. At `consent` the citizen chooses how to give the
place: share the location (recorded as consent, then `location` waits for it), type an address
(`address`, or typed right away), or the district only.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from aiogram.types import ReplyKeyboardRemove

from bot.render import shorten
from bot.routers.report import keyboards
from bot.routers.report.draft import Draft, ReportFlow, discard
from bot.routers.start import menu
from bot.texts import reports as words
from reports import anonymity_explained, category_name, status_name
from reports.media import MAX_RECORDINGS, PHOTO, VIDEO, VOICE
from reports.places import propose
from reports.similarity import NEAR_METRES

if TYPE_CHECKING:
    from aiogram.fsm.state import State

    from bot.routers.report.context import Turn
    from reports import Similar

NEXT: dict[State, State] = {
    ReportFlow.category: ReportFlow.description,
    ReportFlow.description: ReportFlow.consent,
    ReportFlow.consent: ReportFlow.district,
    ReportFlow.location: ReportFlow.district,
    ReportFlow.address: ReportFlow.district,
    ReportFlow.district: ReportFlow.photos,
    ReportFlow.similar: ReportFlow.photos,
    ReportFlow.photos: ReportFlow.contact,
    ReportFlow.contact: ReportFlow.summary,
}
BACK: dict[State, State] = {
    ReportFlow.description: ReportFlow.category,
    ReportFlow.consent: ReportFlow.description,
    ReportFlow.location: ReportFlow.consent,
    ReportFlow.address: ReportFlow.consent,
    ReportFlow.district: ReportFlow.consent,
    ReportFlow.similar: ReportFlow.district,
    ReportFlow.photos: ReportFlow.district,
    ReportFlow.contact: ReportFlow.photos,
    ReportFlow.summary: ReportFlow.contact,
}
PLACE_STEPS = frozenset({ReportFlow.consent, ReportFlow.location, ReportFlow.address})
SHOWN_SIMILAR = 3
SUMMARY_DESCRIPTION_CHARS = 600  # the whole text is kept; the summary shows its start


async def _category(turn: Turn, draft: Draft) -> None:
    await turn.send(words.ASK_CATEGORY, markup=keyboards.categories(turn.script))


async def _description(turn: Turn, draft: Draft) -> None:
    await turn.send(words.ASK_DESCRIPTION, markup=keyboards.navigation(turn.script))


async def _consent(turn: Turn, draft: Draft) -> None:
    await turn.send(words.ASK_LOCATION_CONSENT, markup=keyboards.consent(turn.script))


async def _location(turn: Turn, draft: Draft) -> None:
    await turn.send(words.ASK_LOCATION, markup=keyboards.location(turn.script))


async def _address(turn: Turn, draft: Draft) -> None:
    await turn.send(words.ASK_ADDRESS, markup=keyboards.navigation(turn.script))


async def _district(turn: Turn, draft: Draft) -> None:
    """The district read from the place given, to confirm; the list when none can be read."""
    proposal = propose(address=draft.address, lat=draft.lat, lon=draft.lon)
    if proposal is None:
        await ask_district_list(turn)
        return
    district, source = proposal
    await turn.send(
        words.PROPOSE_DISTRICT[source],
        district=turn.word(district),
        markup=keyboards.proposed_district(turn.script, district),
    )


async def ask_district_list(turn: Turn) -> None:
    await turn.send(words.ASK_DISTRICT, markup=keyboards.districts(turn.script))


async def _photos(turn: Turn, draft: Draft) -> None:
    limit = turn.reports.limits.max_photos
    await turn.send(
        words.ASK_PHOTOS,
        max=limit,
        recordings=MAX_RECORDINGS,
        markup=keyboards.photos(turn.script),
    )


async def _contact(turn: Turn, draft: Draft) -> None:
    anonymity = anonymity_explained(turn.script)
    template = words.ASK_CONTACT_WEB if turn.web_visitor else words.ASK_CONTACT
    await turn.send(template, anonymity=anonymity, markup=keyboards.contact(turn.script))


async def _summary(turn: Turn, draft: Draft) -> None:
    await turn.send_html(summary_text(turn, draft), markup=keyboards.summary(turn.script))


PROMPTS: dict[State, Callable[[Turn, Draft], Awaitable[None]]] = {
    ReportFlow.category: _category,
    ReportFlow.description: _description,
    ReportFlow.consent: _consent,
    ReportFlow.location: _location,
    ReportFlow.address: _address,
    ReportFlow.district: _district,
    ReportFlow.photos: _photos,
    ReportFlow.contact: _contact,
    ReportFlow.summary: _summary,
}


def summary_text(turn: Turn, draft: Draft) -> str:
    if draft.consented_at() is not None and draft.lon is not None:
        place = turn.word(words.LOCATION_POINT).format(lat=draft.lat, lon=draft.lon)
        if draft.address:
            place += f"；{draft.address}"
    else:
        place = draft.address or turn.word(words.LOCATION_NONE)
    contact = {
        "phone": words.CONTACT_PHONE,
        "none": words.CONTACT_NONE,
        "anonymous": words.CONTACT_ANONYMOUS,
    }[draft.contact or "none"]
    lines = [
        f"<b>{turn.text(words.SUMMARY)}</b>",
        turn.text(words.SUMMARY_CATEGORY, value=turn.word(category_name(draft.category or ""))),
        turn.text(
            words.SUMMARY_DESCRIPTION,
            value=shorten(draft.description or "", SUMMARY_DESCRIPTION_CHARS),
        ),
        turn.text(words.SUMMARY_LOCATION, value=place),
        turn.text(words.SUMMARY_DISTRICT, value=turn.word(draft.district or "")),
        turn.text(words.SUMMARY_PHOTOS, count=draft.count(PHOTO)),
        turn.text(words.SUMMARY_RECORDINGS, voice=draft.count(VOICE), video=draft.count(VIDEO)),
        turn.text(words.SUMMARY_CONTACT, value=turn.word(contact)),
        "",
        turn.text(words.SUMMARY_HINT),
    ]
    return "\n".join(lines)


async def ask(turn: Turn, step: State, draft: Draft) -> None:
    """Save the draft, enter `step` and send its prompt."""
    await draft.save(turn.state)
    await turn.state.set_state(step)
    await PROMPTS[step](turn, draft)


async def advance(turn: Turn, draft: Draft, done: State) -> None:
    """After `done` is answered: the next step, the summary when editing, and similar reports
    first whenever the place or text is newly complete."""
    target = ReportFlow.summary if draft.editing else NEXT[done]
    if draft.editing and done in PLACE_STEPS and _moved_district(draft):
        target = ReportFlow.district  # the new place is elsewhere: confirm, then the summary
    if target in (ReportFlow.photos, ReportFlow.summary) and await offer_similar(turn, draft):
        return
    await ask(turn, target, draft)


def _moved_district(draft: Draft) -> bool:
    """The place given now lies in another district than the one chosen before."""
    proposal = propose(address=draft.address, lat=draft.lat, lon=draft.lon)
    return proposal is not None and proposal[0] != draft.district


async def go_back(turn: Turn, draft: Draft, current: State) -> None:
    if current == ReportFlow.summary:
        draft.editing = False
    target = ReportFlow.summary if draft.editing else BACK.get(current, ReportFlow.category)
    await ask(turn, target, draft)


async def cancel(turn: Turn) -> None:
    await discard(turn.state)
    await turn.send(words.CANCELLED, markup=menu(turn.script))


async def remove_reply_keyboard(turn: Turn, template: str) -> None:
    """Acknowledge a reply-keyboard step and take its keyboard away."""
    await turn.send(template, markup=ReplyKeyboardRemove())


async def offer_similar(turn: Turn, draft: Draft) -> bool:
    """Show reports of the last 7 days that look like this one, once per place and text;
    True when shown (the flow waits in `similar`)."""
    signature = draft.signature()
    if draft.district is None or draft.category is None or draft.similar_checked == signature:
        return False
    draft.similar_checked = signature
    matches = await turn.reports.find_similar(
        draft.category, draft.lat, draft.lon, draft.district, draft.description or ""
    )
    if not matches:
        return False
    shown = matches[:SHOWN_SIMILAR]
    lines = [turn.text(words.SIMILAR_FOUND), *(_similar_line(turn, match) for match in shown)]
    await draft.save(turn.state)
    await turn.state.set_state(ReportFlow.similar)
    tickets = [match.report.ticket for match in shown]
    await turn.send_html("\n".join(lines), markup=keyboards.similar(turn.script, tickets))
    return True


def _similar_line(turn: Turn, match: Similar) -> str:
    report = match.report
    if match.distance_m is not None and match.distance_m <= NEAR_METRES:
        where = turn.word(words.SIMILAR_NEAR).format(metres=round(match.distance_m))
    else:
        where = turn.word(words.SIMILAR_TEXT)
    return turn.text(
        words.SIMILAR_ITEM,
        ticket=report.ticket,
        category=turn.word(category_name(report.category)),
        where=where,
        when=report.created_at.strftime("%m-%d"),
        status=status_name(report.status, turn.script),
    )
