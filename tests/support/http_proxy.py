"""A plain HTTP forward proxy on localhost (aiohttp), standing in for the proxy an office in mainland
China reaches Telegram through; it forwards each request and remembers the URLs it carried."""

from __future__ import annotations

from types import TracebackType

import aiohttp
from aiohttp import web

from tests.support.processes import free_port

_HOP_BY_HOP = {"connection", "keep-alive", "proxy-connection", "proxy-authorization", "transfer-encoding", "host"}


class HttpProxy:
    def __init__(self) -> None:
        self.port = free_port()
        self.forwarded: list[str] = []
        self._runner: web.AppRunner | None = None
        self._http: aiohttp.ClientSession | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def _forward(self, request: web.Request) -> web.Response:
        assert self._http is not None
        self.forwarded.append(str(request.url))
        headers = {k: v for k, v in request.headers.items() if k.lower() not in _HOP_BY_HOP}
        async with self._http.request(
            request.method, str(request.url), headers=headers, data=await request.read()
        ) as upstream:
            body = await upstream.read()
            kept = {k: v for k, v in upstream.headers.items() if k.lower() not in _HOP_BY_HOP | {"content-length"}}
            return web.Response(status=upstream.status, body=body, headers=kept)

    async def __aenter__(self) -> HttpProxy:
        self._http = aiohttp.ClientSession(auto_decompress=False)
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._forward)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
        if self._http is not None:
            await self._http.close()
