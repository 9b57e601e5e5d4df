"""hello: reads one field of the protected data ($IEXEC_IN/$IEXEC_DATASET_FILENAME, iExec's layout: a zip with one
entry per field, each holding the field's Borsh value) and writes "Hello, <value>!" to $IEXEC_OUT/result.txt, with the
computed.json that names it.

Usage (the task's args): [field]   (default: name). The field must be a string.
"""
import json
import os
import struct
import sys
import zipfile

out = os.environ["IEXEC_OUT"]


def finish(computed, code=0):
    with open(os.path.join(out, "computed.json"), "w") as file:
        json.dump(computed, file)
    sys.exit(code)


dataset = os.environ.get("IEXEC_DATASET_FILENAME")
if not dataset:
    finish({"error-message": "this app needs protected data: run it with --dataset"}, 1)
field = sys.argv[1] if len(sys.argv) > 1 else "name"
with zipfile.ZipFile(os.path.join(os.environ["IEXEC_IN"], dataset)) as protected:
    if field not in protected.namelist():
        finish({"error-message": f"the protected data has no field {field!r}"}, 1)
    value = protected.read(field)
(length,) = struct.unpack_from("<I", value)
name = value[4 : 4 + length].decode()
with open(os.path.join(out, "result.txt"), "w") as file:
    file.write(f"Hello, {name}!\n")
print(f"hello: greeted the protected {field}")
finish({"deterministic-output-path": "/iexec_out/result.txt"})
