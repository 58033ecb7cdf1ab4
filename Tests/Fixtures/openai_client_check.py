#!/usr/bin/env python3
"""Drives a node's chat completions with the official `openai` Python client.

    openai_client_check.py BASE_URL API_KEY [--max-tokens N]

BASE_URL is the node's public URL with `/v1` (http://127.0.0.1:8080/v1). Runs the calls an
OpenAI user makes (model list, streamed and whole completions, streamed usage, errors), prints a
JSON summary on stdout, and exits 1 with the failed checks on stderr when any check fails.
Used by Tests/TextGenerationPluginTests/OpenAIClientTests.swift.
"""
import argparse
import json
import sys

import openai
from openai import OpenAI

MODEL = "chat-llama-3-2-3b"
MESSAGES = [
    {"role": "system", "content": "You describe places in one sentence."},
    {"role": "user", "content": "Describe a lighthouse at dusk."},
]


class CheckFailed(Exception):
    pass


def require(condition, message):
    # Not `assert`: python -O would strip it.
    if not condition:
        raise CheckFailed(message)


def check_models(client, max_tokens):
    page = client.models.list()
    ids = [model.id for model in page]
    require(MODEL in ids, f"{MODEL} not in /v1/models: {ids}")
    require(all(model.object == "model" for model in page), "every /v1/models entry has object 'model'")
    return {"ids": ids}


def read_stream(stream, max_tokens):
    """Joins a stream's content; checks the chunk shape every streamed call shares."""
    pieces, finish_reasons, chunks, usage = [], [], 0, None
    for chunk in stream:
        chunks += 1
        require(chunk.object == "chat.completion.chunk", f"chunk object is {chunk.object!r}")
        require(chunk.model == MODEL, f"chunk model is {chunk.model!r}")
        require(usage is None, "a chunk arrived after the usage chunk")
        for choice in chunk.choices:
            require(choice.index == 0, f"choice index {choice.index}")
            if choice.delta.content:
                pieces.append(choice.delta.content)
            if choice.finish_reason is not None:
                finish_reasons.append(choice.finish_reason)
        if chunk.usage is not None:
            require(chunk.choices == [], "the usage chunk has no choices")
            usage = chunk.usage
    text = "".join(pieces)
    require(text != "", "the stream carried no content")
    require(len(finish_reasons) == 1, f"expected exactly one finish_reason, got {finish_reasons}")
    require(finish_reasons[0] in ("stop", "length"), f"finish_reason {finish_reasons[0]!r}")
    require(len(pieces) <= max_tokens, f"{len(pieces)} content chunks for max_tokens {max_tokens}")
    summary = {"text": text, "chunks": chunks, "content_chunks": len(pieces), "finish_reason": finish_reasons[0]}
    return summary, usage


def usage_summary(usage, max_tokens):
    require(usage is not None, "no usage")
    require(0 < usage.completion_tokens <= max_tokens, f"completion_tokens {usage.completion_tokens} for max_tokens {max_tokens}")
    require(usage.prompt_tokens > 0, f"prompt_tokens {usage.prompt_tokens}")
    require(usage.total_tokens == usage.prompt_tokens + usage.completion_tokens, "total_tokens is not the sum")
    return {"prompt_tokens": usage.prompt_tokens, "completion_tokens": usage.completion_tokens, "total_tokens": usage.total_tokens}


def check_stream(client, max_tokens):
    stream = client.chat.completions.create(model=MODEL, messages=MESSAGES, stream=True, max_tokens=max_tokens)
    summary, usage = read_stream(stream, max_tokens)
    require(usage is None, "usage was sent without stream_options.include_usage")
    return summary


def check_whole(client, max_tokens):
    completion = client.chat.completions.create(model=MODEL, messages=MESSAGES, stream=False, max_tokens=max_tokens)
    require(completion.object == "chat.completion", f"object is {completion.object!r}")
    require(completion.model == MODEL, f"model is {completion.model!r}")
    require(len(completion.choices) == 1, f"{len(completion.choices)} choices")
    choice = completion.choices[0]
    require(choice.message.role == "assistant", f"role is {choice.message.role!r}")
    require(choice.message.content, "choices[0].message.content is empty")
    require(choice.finish_reason in ("stop", "length"), f"finish_reason {choice.finish_reason!r}")
    require(choice.logprobs is None, "logprobs were sent without being asked for")
    return {"text": choice.message.content, "finish_reason": choice.finish_reason,
            "usage": usage_summary(completion.usage, max_tokens)}


def check_stream_usage(client, max_tokens):
    stream = client.chat.completions.create(model=MODEL, messages=MESSAGES, stream=True, max_tokens=max_tokens,
                                            stream_options={"include_usage": True})
    summary, usage = read_stream(stream, max_tokens)
    summary["usage"] = usage_summary(usage, max_tokens)
    return summary


def expect_error(kind, call):
    try:
        call()
    except kind as error:
        body = error.body if isinstance(error.body, dict) else {}
        return {"status": error.status_code, "code": error.code, "param": error.param, "type": error.type,
                "message": body.get("message")}
    raise CheckFailed(f"expected {kind.__name__}, the call succeeded")


def check_unknown_model(client, max_tokens):
    results = {}
    for stream in (False, True):
        result = expect_error(openai.BadRequestError, lambda: client.chat.completions.create(
            model="no-such-model", messages=MESSAGES, stream=stream, max_tokens=max_tokens))
        require(result["status"] == 400, f"status {result['status']}")
        require(result["param"] == "model", f"param is {result['param']!r}, expected 'model'")
        require(result["code"], "no error code")
        require(result["message"], "no error message")
        results["stream" if stream else "whole"] = result
    return results


def check_wrong_key(client, max_tokens):
    stranger = client.with_options(api_key="org_live_not-a-key")
    result = expect_error(openai.AuthenticationError, lambda: stranger.chat.completions.create(
        model=MODEL, messages=MESSAGES, max_tokens=max_tokens))
    require(result["status"] == 401, f"status {result['status']}")
    require(result["code"], "no error code")
    return result


CHECKS = [
    ("models", check_models),
    ("stream", check_stream),
    ("whole", check_whole),
    ("stream_usage", check_stream_usage),
    ("unknown_model", check_unknown_model),
    ("wrong_key", check_wrong_key),
]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("base_url")
    parser.add_argument("api_key")
    parser.add_argument("--max-tokens", type=int, default=24)
    args = parser.parse_args()
    # No retries: a retried failure would hide what the node answered first.
    client = OpenAI(base_url=args.base_url, api_key=args.api_key, max_retries=0, timeout=60)
    summary = {"openai_version": openai.__version__, "max_tokens": args.max_tokens}
    failures = []
    for name, check in CHECKS:
        try:
            summary[name] = check(client, args.max_tokens)
        except Exception as error:  # every failure is reported, not just the first
            failures.append(f"{name}: {type(error).__name__}: {error}")
    summary["failures"] = failures
    print(json.dumps(summary, indent=2))
    if failures:
        print("openai_client_check: FAILED\n  " + "\n  ".join(failures), file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
