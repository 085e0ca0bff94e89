"""Errors as pages in the visitor's language, or as JSON under /api/. Never a bare 500.

* QueryError (a bad parameter) -> 400 naming the parameter;
* an HTTP error (404, 405, ...) -> its status;
* IndexMissing (no index built yet) -> 503;
* anything else -> 500, logged.
"""
from __future__ import annotations

from flask import Flask, current_app, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from indexer.search.results import MAX_LIMIT, MAX_PAGE, MAX_QUERY_LENGTH, QueryError
from indexer.search.knowledgebase import IndexMissing
from web import i18n
from web.templating import ui_lang

LIMITS = {"max_query": MAX_QUERY_LENGTH, "max_page": MAX_PAGE, "max_limit": MAX_LIMIT}


def wants_json() -> bool:
    return request.path == "/api" or request.path.startswith("/api/")


def json_error(status: int, message: str, param: str | None = None):
    error = {"status": status, "message": message}
    if param is not None:
        error["param"] = param
    return jsonify({"error": error}), status


def page_error(status: int, title_key: str, text: str, detail: str | None = None):
    return render_template("errors/error.html", status=status, title=i18n.message(
        ui_lang(), title_key), text=text, detail=detail), status


def handle_query_error(error: QueryError):
    if wants_json():
        return json_error(400, error.message, error.param)
    lang = ui_lang()
    text = i18n.message(lang, "bad_param", param=error.param)
    hint = i18n.param_hint(lang, error.param, **LIMITS)
    return page_error(400, "bad_request_title", f"{text} {hint}".strip(),
                      i18n.message(lang, "details", message=error.message))


def handle_http_error(error: HTTPException):
    status = error.code or 500
    if wants_json():
        return json_error(status, error.description or error.name)
    lang = ui_lang()
    if status == 404:
        return page_error(404, "not_found_title", i18n.message(lang, "not_found_text"))
    if status == 400:
        return page_error(400, "bad_request_title", error.description or error.name)
    return render_template("errors/error.html", status=status, title=error.name,
                           text=error.description, detail=None), status


def handle_index_missing(error: IndexMissing):
    current_app.logger.error("no search index: %s", error)
    if wants_json():
        return json_error(503, "the search index has not been built (run `kb index`)")
    return page_error(503, "unavailable_title", i18n.message(ui_lang(), "unavailable_text"))


def handle_unexpected(error: Exception):
    if isinstance(error, HTTPException):
        return handle_http_error(error)
    current_app.logger.exception("unexpected error on %s", request.path)
    if wants_json():
        return json_error(500, "internal error")
    return page_error(500, "error_title", i18n.message(ui_lang(), "error_text"))


def init_app(app: Flask) -> None:
    app.register_error_handler(QueryError, handle_query_error)
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(IndexMissing, handle_index_missing)
    app.register_error_handler(Exception, handle_unexpected)
