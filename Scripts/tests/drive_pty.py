#!/usr/bin/env python3
"""Runs a command on a real pseudo-terminal and answers its prompts, as a person at a keyboard would.

Usage: drive_pty.py ANSWERS_JSON -- COMMAND [ARGS...]
ANSWERS_JSON is a list of [prompt_substring, reply]; each reply is typed (with Enter) once its prompt
substring has appeared. Prints JSON {"status": exit code, "transcript": everything the terminal showed}.
Used by the CLI tests to check that password prompts do not echo what is typed.
"""
import json
import os
import pty
import select
import signal
import sys
import time


def main() -> int:
    split = sys.argv.index("--")
    answers = json.loads(sys.argv[1])
    command = sys.argv[split + 1:]
    pid, fd = pty.fork()
    if pid == 0:
        os.execvp(command[0], command)
    transcript = b""
    pending = list(answers)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                break
            if not chunk:
                break
            transcript += chunk
        if pending and pending[0][0].encode() in transcript:
            # Only the text after the prompt counts for the next prompt.
            prompt, reply = pending.pop(0)
            transcript += b"<typed>"
            os.write(fd, reply.encode() + b"\n")
    else:
        # Out of time: the command is stuck (for example waiting for input that never came); end it.
        os.kill(pid, signal.SIGKILL)
        transcript += b"<killed after 60 s>"
    _, status = os.waitpid(pid, 0)
    print(json.dumps({"status": os.waitstatus_to_exitcode(status), "transcript": transcript.decode(errors="replace")}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
