"""The Gradio app: a streaming chat whose citations open the cited passage inside its article, plus an upload tab.

Every piece of article text reaches the page through ``html.escape``: a scraped article is untrusted input.
"""

from __future__ import annotations

import html
import ipaddress
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import gradio as gr
from pressroom.ingest.readers import SUPPORTED_SUFFIXES
from pressroom.ingest.store import UNKNOWN_SOURCE, StoreError, StoreStats
from pressroom.qa.chain import QuestionError
from pressroom.qa.facade import Pressroom
from pressroom.qa.render import answer_body, ingest_summary, quoted_elsewhere, snippet, source_line, top_sources
from pressroom.qa.retrieve import RetrievalError
from pressroom.qa.types import Filters, Result

TITLE = "Pressroom"
DESCRIPTION = (
    "Ask questions of your news archive. Every answer quotes the passages it came from: pick a source below an "
    "answer to read the passage highlighted inside its article."
)
EXAMPLES = ["Who announced the pullout of Russian troops from Syria?", "When does the withdrawal begin?"]
CSS = """
#source-panel .article-text { white-space: pre-wrap; max-height: 60vh; overflow-y: auto; line-height: 1.5; }
#source-panel mark { background: #ffe08a; padding: 0 2px; }
#source-panel .meta { color: #666; font-size: 0.9em; }
"""
SCROLL_JS = (
    "() => { const m = document.querySelector('#source-panel mark'); if (m) m.scrollIntoView({block: 'center'}); }"
)

# A click on an answer's [n] chooses source n in the sources list, which opens the passage in its article.
CITE_JS = """
() => {
  document.addEventListener('click', (event) => {
    const link = event.target.closest('a[href^="#cite-"]');
    if (!link) return;
    event.preventDefault();
    event.stopPropagation();
    const n = link.getAttribute('href').slice('#cite-'.length);
    for (const label of document.querySelectorAll('#citations label')) {
      if (label.textContent.trim().startsWith(`[${n}]`)) { label.querySelector('input').click(); return; }
    }
  }, true);
}
"""


class UsageError(ValueError):
    """The app cannot start as asked (for example exposed without authentication)."""


def source_html(article: Any, start: int, end: int, label: str) -> str:
    """The article with [start:end] marked; everything escaped, only http(s) links made clickable."""
    text = article.text
    meta = " · ".join(html.escape(v) for v in (article.source, article.date) if v)
    url = article.url or ""
    link = (
        f'<a href="{html.escape(url, quote=True)}" target="_blank" rel="noopener noreferrer">{html.escape(url)}</a>'
        if url.lower().startswith(("http://", "https://"))
        else html.escape(url)
    )
    return (
        f"<h3>{html.escape(article.title)}</h3>"
        f'<p class="meta">{html.escape(label)}{" · " + meta if meta else ""}{" · " + link if link else ""}</p>'
        f'<div class="article-text">{html.escape(text[:start])}<mark id="cited-passage">'
        f"{html.escape(text[start:end])}</mark>{html.escape(text[end:])}</div>"
    )


def source_choices(result: Result) -> list[tuple[str, dict[str, Any]]]:
    """(label, target) for each citation, or for the nearest passages of a refusal."""
    if result.answer.refused:
        return [
            (f"nearest {rank}: {p.title}", {"article_id": p.article_id, "start": p.start, "end": p.end})
            for rank, p in enumerate(result.passages[:5], 1)
        ]
    return [
        (f"[{c.n}] {c.title}", {"article_id": c.article_id, "start": c.start, "end": c.end})
        for c in result.answer.citations
    ]


_MARKER = re.compile(r"\[(\d+)\]")


def answer_markdown(result: Result) -> str:
    """Short answer first in bold, then the supporting sentence once; each [n] is a link that opens its passage
    (CITE_JS turns the click into a choice in the sources list)."""
    answer = result.answer
    body = _MARKER.sub(r"[\\[\1\\]](#cite-\1)", html.escape(answer_body(answer)))
    text = f"**{html.escape(answer.short)}**\n\n{body}" if answer.short else body
    if answer.note:
        text += f"\n\n_{html.escape(answer.note)}_"
    lines = [text, ""]
    if answer.refused:
        lines.append("**Nearest passages:**")
        lines += [f"- {html.escape(p.title)}: “{html.escape(snippet(p.text, 160))}”" for p in result.passages[:3]]
    else:
        for c in answer.citations:
            quote = "" if quoted_elsewhere(c, answer) else f": “{html.escape(c.quote)}”"
            lines.append(f"[{c.n}] *{html.escape(source_line(c))}*{quote}  ")
    return "\n".join(lines)


def stats_markdown(stats: StoreStats) -> str:
    dates = stats.date_range
    return (
        f"**{stats.articles}** articles, **{stats.chunks}** passages"
        f"{f', published {dates[0]} to {dates[1]}' if dates else ''}.  \n"
        f"Sources: {html.escape(top_sources(stats, 12)) or '(none)'}  \n"
        f"Store: `{html.escape(stats.store)}` ({stats.backend})"
    )


class App:
    def __init__(self, pressroom: Pressroom) -> None:
        self.pressroom = pressroom
        self.settings = pressroom.settings
        # One ingest at a time: two uploads of the same article would otherwise both embed and write it.
        self._ingest_lock = threading.Lock()
        self._cancel = threading.Event()

    # --- chat ------------------------------------------------------------------------------------

    def respond(
        self,
        message: str,
        chat: list[dict[str, Any]],
        turns: list[dict[str, Any]],
        since: str,
        until: str,
        sources: list[str],
        k: float,
    ) -> Iterator[tuple[Any, ...]]:
        chat = [*chat, {"role": "user", "content": html.escape(message)}, {"role": "assistant", "content": ""}]
        no_sources = gr.update(choices=[], value=None)
        filters = Filters(
            since=(since or "").strip() or None, until=(until or "").strip() or None, sources=sources or []
        )
        reply = ""
        try:
            for event in self.pressroom.stream(message, turns, filters, int(k) or None):
                if isinstance(event, list) and self.pressroom.llm is not None:
                    # A model reads the passages for seconds before its first token: say so rather than sit blank.
                    chat[-1]["content"] = f"_Reading {len(event)} passages…_"
                    yield chat, turns, [], no_sources, ""
                elif isinstance(event, str):
                    reply += event
                    chat[-1]["content"] = html.escape(reply)
                    yield chat, turns, [], no_sources, ""
                elif isinstance(event, Result):
                    chat[-1]["content"] = answer_markdown(event)
                    choices = source_choices(event)
                    turns = [*turns, {"question": message, "answer": event.answer.short}]
                    yield (
                        chat,
                        turns,
                        [t for _, t in choices],
                        gr.update(choices=[(label, i) for i, (label, _) in enumerate(choices)], value=None),
                        "",
                    )
        except (QuestionError, RetrievalError) as err:
            chat[-1]["content"] = f"⚠️ {html.escape(str(err))}"
            yield chat, turns, [], no_sources, ""

    def show_source(self, choice: int | None, targets: list[dict[str, Any]]) -> str:
        if choice is None or not 0 <= int(choice) < len(targets):
            return ""
        target = targets[int(choice)]
        article = self.pressroom.article(target["article_id"])
        if article is None:
            return "<p>This article is no longer in the collection.</p>"
        return source_html(article, int(target["start"]), int(target["end"]), f"source {int(choice) + 1}")

    # --- articles --------------------------------------------------------------------------------

    def ingest(self, files: list[Any] | None, progress: gr.Progress = gr.Progress()) -> tuple[str, str]:
        if not files:
            return "Choose one or more files first.", self.stats()
        paths = [Path(f if isinstance(f, str) else f.name) for f in files]
        with self._ingest_lock:
            self._cancel.clear()
            try:
                summary = self.pressroom.ingest(
                    paths,
                    progress=lambda done, total: progress(done / max(total, 1), desc="ingesting"),
                    max_records=self.settings.upload_max_records,
                    cancel=self._cancel,
                )
            except StoreError as err:
                return f"⚠️ {html.escape(str(err))}", ""
        lines = [f"**{html.escape(ingest_summary(summary))}**"]
        lines += [f"- skipped `{html.escape(Path(s.path).name)}`: {html.escape(s.reason)}" for s in summary.skipped]
        return "\n".join(lines), self.stats()

    def cancel_ingest(self) -> str:
        """Stops the running upload after the batch being written (what was written stays, consistent)."""
        self._cancel.set()
        return "Cancelling after the current batch…"

    def stats(self) -> str:
        return stats_markdown(self.pressroom.stats())

    def source_names(self) -> list[str]:
        return [s for s in self.pressroom.stats().sources if s != UNKNOWN_SOURCE]

    def refresh(self) -> tuple[Any, str]:
        """The source filter's choices and the stats as the store has them now, an upload or another process's
        ingest included (the stats are recounted only when the store's generation moved)."""
        return gr.update(choices=self.source_names()), self.stats()

    # --- API -------------------------------------------------------------------------------------

    def ask_api(
        self,
        question: str,
        history: list[Any] | None = None,
        since: str = "",
        until: str = "",
        source: str = "",
        k: int = 0,
    ) -> dict[str, Any]:
        """The same JSON as `pressroom ask --json`; errors come back as {"question", "error"}, never a 500."""
        try:
            filters = Filters(since=since or None, until=until or None, sources=[source] if source else [])
            return self.pressroom.ask(question, history=history, filters=filters, k=k or None).to_dict()
        except (QuestionError, RetrievalError, StoreError) as err:
            return {"question": question if isinstance(question, str) else None, "error": str(err)}

    # --- layout ----------------------------------------------------------------------------------

    def build(self) -> gr.Blocks:
        with gr.Blocks(title=TITLE) as demo:
            gr.Markdown(f"# {TITLE}\n{DESCRIPTION}")
            turns = gr.State([])
            targets = gr.State([])
            with gr.Tab("Ask"), gr.Row():
                with gr.Column(scale=3):
                    chatbot = gr.Chatbot(label="Conversation", height=480, elem_id="chat")
                    question = gr.Textbox(
                        placeholder="Ask about the articles…", show_label=False, elem_id="question", submit_btn=True
                    )
                    gr.Examples(EXAMPLES, inputs=question)
                    with gr.Accordion("Filters", open=False):
                        with gr.Row():
                            since = gr.Textbox(label="Published since (YYYY-MM-DD)")
                            until = gr.Textbox(label="Published until (YYYY-MM-DD)")
                        sources = gr.Dropdown(self.source_names(), multiselect=True, label="Sources", elem_id="sources")
                        k = gr.Slider(1, 20, value=self.settings.top_k, step=1, label="Passages to answer from")
                    clear = gr.Button("New conversation", variant="secondary")
                with gr.Column(scale=2):
                    citation = gr.Radio([], label="Sources of the last answer", elem_id="citations", type="value")
                    panel = gr.HTML(elem_id="source-panel")
            with gr.Tab("Add articles"):
                gr.Markdown(
                    f"Upload articles ({', '.join(sorted(SUPPORTED_SUFFIXES))}); up to "
                    f"{self.settings.upload_max_mb:g} MB a file and {self.settings.upload_max_records:,} articles an "
                    "upload. Re-uploading an unchanged article changes nothing."
                )
                files = gr.File(
                    file_count="multiple", file_types=sorted(SUPPORTED_SUFFIXES), label="Articles", elem_id="upload"
                )
                with gr.Row():
                    ingest_btn = gr.Button("Ingest", variant="primary", elem_id="ingest")
                    cancel_btn = gr.Button("Cancel", variant="secondary", elem_id="cancel-ingest")
                summary = gr.Markdown(elem_id="ingest-summary")
                gr.Markdown("### Collection")
                stats = gr.Markdown(self.stats(), elem_id="stats")

            outputs = [chatbot, turns, targets, citation, question]
            live = [sources, stats]
            # Each answer caught up with the store first; the filter list and stats follow it afterwards.
            question.submit(
                self.respond, [question, chatbot, turns, since, until, sources, k], outputs, api_visibility="private"
            ).then(self.refresh, None, live, api_visibility="private")
            citation.change(self.show_source, [citation, targets], panel, api_visibility="private").then(
                None, None, None, js=SCROLL_JS
            )
            clear.click(
                lambda: ([], [], [], gr.update(choices=[], value=None), ""),
                None,
                [chatbot, turns, targets, citation, panel],
                api_visibility="private",
            )
            ingest_btn.click(self.ingest, files, [summary, stats], api_name="ingest").then(
                self.refresh, None, live, api_visibility="private"
            )
            cancel_btn.click(self.cancel_ingest, None, summary, api_visibility="private", queue=False)
            demo.load(self.refresh, None, live, api_visibility="private")
            gr.api(self.ask_api, api_name="ask")
        return demo


def check_exposure(host: str, auth: str | None) -> tuple[str, str] | None:
    """Gradio auth credentials; refuses to expose the app beyond loopback without them."""
    credentials = None
    if auth:
        user, sep, password = auth.partition(":")
        if not sep or not user or not password:
            raise UsageError("--auth takes user:password")
        credentials = (user, password)
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = host == "localhost"
    if not loopback and credentials is None:
        raise UsageError(f"refusing to serve on {host} without authentication: pass --auth user:password")
    return credentials


def launch(pressroom: Pressroom, block: bool = True) -> tuple[gr.Blocks, App]:
    settings = pressroom.settings
    credentials = check_exposure(settings.host, settings.auth)
    pressroom.warm_up()
    app = App(pressroom)
    demo = app.build()
    demo.queue(default_concurrency_limit=settings.concurrency_limit)
    demo.launch(
        server_name=settings.host,
        server_port=settings.port,
        auth=credentials,
        max_file_size=int(settings.upload_max_mb * 1024 * 1024),
        prevent_thread_lock=not block,
        css=CSS,
        js=CITE_JS,
        theme=gr.themes.Soft(),
        quiet=True,
    )
    return demo, app
