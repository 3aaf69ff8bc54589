"""The embedded (file-system) broker never shows a reader half a message."""

import os

import pytest
from kombu import Connection
from kombu.transport import filesystem
from kombu.utils.json import dumps as real_dumps

from clinic import broker

TRANSPORTS = {
    "kombu's own": (filesystem, "filesystem"),
    "the planner's": (broker, broker.__name__ + ":Transport"),
}


def visible_messages_while_writing(module, transport, folder, monkeypatch):
    """Names of the queue's message files a reader could take while a message is written."""
    seen = []

    def dumps_and_look(payload):
        text = real_dumps(payload)
        # The moment between creating and filling a file, as a worker listing the folder sees it.
        for name in os.listdir(folder):
            if name.partition(".")[2] == "q.msg" and os.path.getsize(folder / name) == 0:
                seen.append(name)
        return text

    monkeypatch.setattr(module, "dumps", dumps_and_look)
    options = {"data_folder_in": str(folder), "data_folder_out": str(folder)}
    with Connection("filesystem://", transport=transport, transport_options=options) as conn:
        queue = conn.SimpleQueue("q")
        queue.put({"send": 1})
        message = queue.get(timeout=1)
        assert message.payload == {"send": 1}
        message.ack()
        queue.close()
    return seen


@pytest.mark.parametrize("which", TRANSPORTS)
def test_a_reader_never_sees_an_empty_message_file(which, tmp_path, monkeypatch):
    module, transport = TRANSPORTS[which]
    seen = visible_messages_while_writing(module, transport, tmp_path, monkeypatch)
    if which == "kombu's own":
        assert seen, "kombu's transport shows an empty file: the race this module closes"
    else:
        assert seen == []
