"""A scripted OpenAI-compatible chat server on loopback, so the real ``kimi`` can run a session.

Each request gets the next scripted reply: text, or one tool call. Every request body is kept,
so a test can read the system prompt and tool list the CLI sent. Used with Kimi Code's
``-p`` mode to drive a tool call through the real hook machinery.
"""
from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class FakeLLM:
    """The replies still to give and the request bodies received so far."""

    replies: list[dict[str, Any]]
    requests: list[dict[str, Any]] = field(default_factory=list)
    port: int = 0

    def config_toml(self) -> str:
        """A Kimi Code config.toml whose default model is this server."""
        return (
            'default_model = "fake"\n[providers.fake]\ntype = "openai"\n'
            f'base_url = "http://127.0.0.1:{self.port}/v1"\napi_key = "sk-fake"\n'
            '[models.fake]\nprovider = "fake"\nmodel = "fake-model"\nmax_context_size = 100000\n'
        )

    def next_delta(self) -> tuple[dict[str, Any], str]:
        index = len(self.requests) - 1
        reply = self.replies[index] if index < len(self.replies) else {'text': 'done'}
        if 'tool' in reply:
            call = {'index': 0, 'id': f'call_{index}', 'type': 'function',
                    'function': {'name': reply['tool'], 'arguments': json.dumps(reply['args'])}}
            return {'role': 'assistant', 'tool_calls': [call]}, 'tool_calls'
        return {'role': 'assistant', 'content': reply['text']}, 'stop'


def _handler(llm: FakeLLM) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _send(self, content_type: str, body: bytes) -> None:
            self.send_response(200)
            self.send_header('content-type', content_type)
            self.send_header('content-length', str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            self._send('application/json', b'{"object":"list","data":[{"id":"fake-model","object":"model"}]}')

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers.get('content-length', 0))) or b'{}')
            llm.requests.append(body)
            delta, finish = llm.next_delta()
            usage = {'prompt_tokens': 10, 'completion_tokens': 5, 'total_tokens': 15}
            meta = {'id': 'c', 'created': 0, 'model': 'fake-model'}
            if body.get('stream'):
                chunks = (
                    {**meta, 'object': 'chat.completion.chunk',
                     'choices': [{'index': 0, 'delta': delta, 'finish_reason': None}]},
                    {**meta, 'object': 'chat.completion.chunk',
                     'choices': [{'index': 0, 'delta': {}, 'finish_reason': finish}], 'usage': usage},
                )
                data = ''.join(f'data: {json.dumps(c)}\n\n' for c in chunks) + 'data: [DONE]\n\n'
                self._send('text/event-stream', data.encode())
            else:
                reply = {**meta, 'object': 'chat.completion', 'usage': usage,
                         'choices': [{'index': 0, 'message': delta, 'finish_reason': finish}]}
                self._send('application/json', json.dumps(reply).encode())

    return Handler


@contextlib.contextmanager
def fake_llm(replies: list[dict[str, Any]]) -> Iterator[FakeLLM]:
    """Serve ``replies`` (``{"text": ...}`` or ``{"tool": name, "args": {...}}``) on a free port."""
    llm = FakeLLM(list(replies))
    server = ThreadingHTTPServer(('127.0.0.1', 0), _handler(llm))
    llm.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield llm
    finally:
        server.shutdown()
        server.server_close()
