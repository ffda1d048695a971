"""The camera and microphone opt-in in a real browser: consent, a live photo and a voice clip
from chromium's fake devices, and the file-upload fallback, each answered by the live API."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Response, expect

from tests.pages.conftest import Tab

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "affect"


def _open_optin(t: Tab, student: str) -> None:
    t.login(student)
    expect(t.page.get_by_role("heading", name="Practice")).to_be_visible()
    t.page.get_by_text("Camera or microphone (optional)").click()
    expect(t.page.get_by_label("I agree to camera and microphone input")).to_be_enabled()


def _is_media_post(r: Response) -> bool:
    return r.url.endswith("/affect/media") and r.request.method == "POST"


def test_live_photo_without_a_face_shows_the_servers_note(media_tab: Callable[..., Tab]) -> None:
    t = media_tab()
    _open_optin(t, "grace")  # the seed has her without consent: she gives it here
    agree = t.page.get_by_label("I agree to camera and microphone input")
    expect(agree).not_to_be_checked()
    expect(t.page.get_by_role("button", name="Take a photo")).to_be_hidden()
    agree.check()
    expect(t.page.locator("#affect-result")).to_contain_text("camera and microphone input is on")
    t.page.get_by_role("button", name="Turn the camera on").click()
    expect(t.page.get_by_label("Camera preview")).to_be_visible()
    take = t.page.get_by_role("button", name="Take a photo")
    expect(take).to_be_enabled()
    t.shot("student-camera-preview", of="#affect-optin")
    with t.page.expect_response(_is_media_post) as sent:
        take.click()
    answer = sent.value
    assert answer.status == 201 and answer.json()["readings"] == []
    note = answer.json()["notes"][0]
    expect(t.page.locator("#affect-result .note")).to_contain_text(note)
    assert "no face found" in note
    expect(t.page.get_by_label("Camera preview")).to_be_hidden()  # the camera is off again
    assert t.page.evaluate("document.querySelector('video.preview').srcObject") is None
    t.shot("student-camera-no-face", of="#affect-optin")


def test_a_recorded_voice_clip_goes_to_the_api_as_wav(media_tab: Callable[..., Tab]) -> None:
    t = media_tab()
    _open_optin(t, "farah")
    expect(t.page.get_by_label("I agree to camera and microphone input")).to_be_checked()
    with t.page.expect_response(_is_media_post, timeout=20_000) as sent:
        t.page.get_by_role("button", name="Record 3 s of voice").click()
    answer = sent.value
    assert answer.request.header_value("content-type").startswith("multipart/form-data")
    result = t.page.locator("#affect-result")
    if answer.status == 201:  # soundfile read the clip; the fake microphone beeps, so any tag
        reading = answer.json()["readings"][0]
        assert reading["source"] == "voice"
        expect(result.locator(".tag")).to_have_text(reading["tag"])
    else:
        t.expect_error(f"status of {answer.status}")
        expect(result.get_by_role("alert")).to_have_text(answer.json()["detail"])
    t.shot("student-voice-recorded", of="#affect-optin")


def test_a_photo_file_of_a_smile_reads_as_positive(tab: Callable[..., Tab]) -> None:
    t = tab()
    _open_optin(t, "amara")
    expect(t.page.get_by_label("I agree to camera and microphone input")).to_be_checked()
    t.page.get_by_label("Or send a photo or voice clip from a file").set_input_files(
        FIXTURES / "face_smile.jpg")
    with t.page.expect_response(_is_media_post) as sent:
        t.page.get_by_role("button", name="Send the file").click()
    assert sent.value.status == 201
    result = t.page.locator("#affect-result")
    expect(result.locator(".tag")).to_have_text("positive")
    expect(result).to_contain_text("Your photo reads as positive")
    expect(result).to_contain_text("What kgtutor does about it")
    t.shot("student-photo-upload-positive", of="#affect-optin")
