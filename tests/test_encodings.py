"""CSV files in every encoding Excel writes load the same names, or are refused.

Issue 9, defect 10: Big5 bytes mostly decode as GB18030 too, into nonsense; they were stored so.
"""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest

from matcher.errors import DataError
from matcher.io import ENCODINGS_TRIED, decode_text, load_dataset

SAMPLE = Path(__file__).resolve().parents[1] / "datasets" / "community_a"

# Traditional characters that Big5 has, to stand in for the simplified ones it lacks.
_STAND_INS = "國語學會長東風雲龍華陳張劉黃趙吳鄭謝許鄧馮韓曾蕭葉楊蘇盧蔣賈閻鐘"


def big5_able(text: str) -> str:
    """``text`` with each character Big5 cannot encode replaced by a fixed traditional one."""
    out = []
    for ch in text:
        try:
            ch.encode("big5")
        except UnicodeEncodeError:
            ch = _STAND_INS[ord(ch) % len(_STAND_INS)]
        out.append(ch)
    return "".join(out)


@pytest.fixture(scope="module")
def traditional_sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample with every file in UTF-8 and only Big5-encodable text (names, departments...)."""
    folder = tmp_path_factory.mktemp("sample") / "community_a"
    shutil.copytree(SAMPLE, folder)
    for path in folder.glob("*.csv"):
        path.write_text(big5_able(path.read_text(encoding="utf-8-sig")), encoding="utf-8")
    return folder


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "gbk", "big5", "utf-16"])
def test_volunteers_in_every_encoding_load_the_same_names(
    traditional_sample: Path, tmp_path: Path, encoding: str
) -> None:
    expected = load_dataset(traditional_sample)
    folder = tmp_path / "community_a"
    shutil.copytree(traditional_sample, folder)
    text = (traditional_sample / "volunteers.csv").read_text(encoding="utf-8")
    data = text.encode(encoding)  # "utf-16" writes a BOM
    if encoding == "utf-16":
        assert data[:2] in (b"\xff\xfe", b"\xfe\xff")
    (folder / "volunteers.csv").write_bytes(data)
    loaded = load_dataset(folder)
    assert [v.name for v in loaded.volunteers] == [v.name for v in expected.volunteers]
    assert loaded.volunteers == expected.volunteers
    assert not any("\ufffd" in v.name for v in loaded.volunteers)


def test_big5_is_not_taken_for_gb18030() -> None:
    data = "id,name\nV1,張三豐\nV2,陳美麗\n".encode("big5")
    data.decode("gb18030")  # decodes without error, into nonsense: the defect
    assert decode_text(data, "volunteers.csv") == "id,name\nV1,張三豐\nV2,陳美麗\n"


def test_random_bytes_are_refused_naming_the_file_and_the_encodings(tmp_path: Path) -> None:
    folder = tmp_path / "ds"
    shutil.copytree(SAMPLE, folder)
    (folder / "volunteers.csv").write_bytes(random.Random(9).randbytes(4096))
    with pytest.raises(DataError) as info:
        load_dataset(folder)
    issue = info.value.issues[0]
    assert issue.file == "volunteers.csv"
    assert all(encoding in issue.message for encoding in ENCODINGS_TRIED)


def test_replacement_characters_are_refused() -> None:
    with pytest.raises(DataError, match="replacement"):
        decode_text("id,name\nV1,张\ufffd\n".encode(), "volunteers.csv")


def test_utf16_without_bom_is_refused_not_garbled() -> None:
    data = "id,name\nV1,张三\n".encode("utf-16-le")
    with pytest.raises(DataError) as info:
        decode_text(data, "volunteers.csv")
    assert info.value.issues[0].file == "volunteers.csv"
