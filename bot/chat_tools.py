"""/forget and /card: leaving no trace on the phone, and keeping an overdose card on it.

Both work through Telegram itself, so the bot still keeps nothing: /forget asks Telegram to
delete the chat's recent messages by id (bot/conversation/actions.py), and /card sends the
overdose card as an image the person can pin, readable with no signal. The image is drawn from
the card answer's own steps and the deployment's emergency number (bot/rendering/card_*.py).
How both work, for people and for staff: docs/privacy-tools.md.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from bot.content.messages import Messages
from bot.content.model import Entry
from bot.conversation import protocol as p
from bot.conversation.actions import DeleteMessages, PinMessage, forget_range
from bot.conversation.reply import Button, Event, EventKind, Reply
from bot.rendering.card_image import CardError, CardImages
from bot.rendering.card_text import CardText, blocks
from bot.rendering.render import Renderer, fill_placeholders

log = logging.getLogger(__name__)
Rows = tuple[tuple[Button, ...], ...]


class ChatTools:
    """The /forget and /card replies of one language."""

    def __init__(
        self,
        language: str,
        messages: Messages,
        renderer: Renderer,
        entries: Mapping[str, Entry],
        overdose_card: str,
        images: CardImages,
    ) -> None:
        """`entries` is the language's own (live) mapping: the card is looked up when asked
        for, after start-up has put the bundled card in place of a broken one."""
        self.language = language
        self.messages = messages
        self.renderer = renderer
        self.entries = entries
        self.overdose_card = overdose_card
        self.images = images

    def handle(self, event: Event) -> Reply | None:
        """The reply when the event is one of these tools; None when it is not."""
        if event.kind is EventKind.COMMAND:
            name = p.command_name(event.text)
            if name == "forget":
                return self.forget(event.message_id, pressed=False)
            if name == "card" or (name == "start" and event.argument == p.START_CARD):
                return self.card()
        elif event.kind is EventKind.BUTTON:
            kind, rest = p.parse(event.text)
            if rest:  # these buttons carry nothing more; "x:1:2" is someone else's old data
                return None
            if kind == p.FORGET:
                return self.forget(event.message_id, pressed=True)
            if kind == p.DELETE_THIS:
                return self.delete_this(event.message_id)
            if kind == p.CARD:
                return self.card()
            if kind == p.PIN:
                return self.pin(event.message_id)
        return None

    def rows_for(self, entry_id: str) -> Rows:
        """The tool buttons an answer carries: "Clear this chat" on the privacy answer,
        "Keep this card" on the overdose card."""
        if entry_id == p.FORGET_ANSWER:
            return ((Button(self.messages.forget.button, p.FORGET),),)
        if entry_id == self.overdose_card:
            return ((Button(self.messages.card.button, p.CARD),),)
        return ()

    # --- /forget -----------------------------------------------------------------------------

    def forget(self, message_id: int | None, pressed: bool) -> Reply:
        """Delete the chat's recent messages, then say how to leave no trace at all. The
        explanation has one button: delete it too. With no message id (the terminal), only
        the explanation."""
        words = self.messages.forget
        actions = (forget_range(message_id, pressed),) if message_id else ()
        buttons = ((Button(words.delete_this, p.DELETE_THIS),),)
        return Reply(
            self._text(f"{words.done}\n\n{words.how}"),
            buttons,
            actions=actions,
            if_failed=self._text(f"{words.failed}\n\n{words.how}"),
        )

    def delete_this(self, message_id: int | None) -> Reply:
        """Delete the message the button is on, and say nothing more."""
        if not message_id:
            return Reply("")
        return Reply("", actions=(DeleteMessages(newest=message_id, oldest=message_id),))

    # --- /card -------------------------------------------------------------------------------

    def card(self) -> Reply:
        """The overdose card as an image, with a button to pin it; the text card when there
        is no card to draw or it can't be drawn."""
        entry = self.entries.get(self.overdose_card)
        if entry is None:
            return Reply(self._text(self.messages.no_match), ())
        try:
            png = self.images.png(self.language, self.card_text(entry))
        except (CardError, OSError, ValueError) as exc:
            log.warning("the overdose card image can't be drawn (%s); sent as text", exc)
            return Reply(self.renderer.answer(entry), emergency=True, entry_id=entry.id)
        words = self.messages.card
        buttons = (
            (Button(words.pin, p.PIN),),
            (Button(self.messages.buttons.topics, p.TOPICS),),
        )
        return Reply(
            self._text(words.caption),
            buttons,
            emergency=True,
            entry_id=entry.id,
            photo=png,
        )

    def prepare(self) -> None:
        """Draw the card image now (the Telegram bot does this at start-up): drawing takes
        tens of milliseconds, which no person's reply, nor an emergency in another chat,
        should wait for. A card that can't be drawn is left for `card` to report."""
        entry = self.entries.get(self.overdose_card)
        if entry is not None:
            try:
                self.images.png(self.language, self.card_text(entry))
            except (CardError, OSError, ValueError):
                return

    def pin(self, message_id: int | None) -> Reply:
        """Pin the message the button is on (the card); Telegram itself shows that it did."""
        failed = self._text(self.messages.card.pin_failed)
        home = ((Button(self.messages.buttons.topics, p.TOPICS),),)
        if not message_id:
            return Reply(failed, home)
        return Reply("", home, actions=(PinMessage(message_id),), if_failed=failed)

    def card_text(self, entry: Entry) -> CardText:
        """What the image shows: the card's title, the number to call, its steps and notes,
        and who made it and when its facts were checked."""
        variables = self.renderer.variables
        steps, notes = blocks(fill_placeholders(entry.body, variables))
        checked = entry.meta.review.reviewed_on
        footer = variables["operator"]
        if checked is not None:
            date = self.renderer.month_year(checked)
            footer = f"{footer} · {self.messages.checked.format(date=date)}"
        return CardText(
            title=entry.title,
            call=self.messages.card.call.format(emergency=variables["emergency"]),
            steps=steps,
            notes=notes,
            footer=footer,
        )

    def _text(self, text: str) -> str:
        return self.renderer.render("message.html.j2", message=text, safety_net="")
