"""Text-size preference: reading the cookie and the script that sets the class on <html>."""

from hbapp.services.preferences import (
    TEXT_SIZE_CLASSES,
    text_size_from_cookie,
    text_size_script,
    valid_text_size,
)


def test_cookie_gives_a_known_size_or_normal():
    assert text_size_from_cookie("hb_lang=sv; hb_text_size=xlarge") == "xlarge"
    assert text_size_from_cookie("hb_text_size=large") == "large"
    assert text_size_from_cookie("hb_text_size=huge") == "normal"
    assert text_size_from_cookie("") == "normal"
    assert text_size_from_cookie(None) == "normal"
    assert text_size_from_cookie('hb_text_size="large') == "normal"


def test_unknown_sizes_fall_back_to_normal():
    assert valid_text_size("large") == "large"
    assert valid_text_size("<script>") == "normal"
    assert valid_text_size(None) == "normal"


def test_script_sets_exactly_one_class():
    script = text_size_script("xlarge")
    assert script.endswith('("text-xlarge")')
    assert '"text-large", "text-xlarge"' in script  # both are removed first
    assert text_size_script("normal").endswith('("")')
    # Anything unknown becomes normal, so no text from a cookie reaches the script.
    assert text_size_script("');alert(1);//") == text_size_script("normal")
    assert set(TEXT_SIZE_CLASSES) == {"normal", "large", "xlarge"}
