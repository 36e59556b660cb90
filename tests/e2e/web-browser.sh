# loaxa web in a real browser (headless chromium through chromium-driver and
# python3-selenium), on a desktop window and a 360x740 phone: log in, upload
# a generated MP3, see it pending, be refused approval as an operator and
# approve as an approver, watch it air on the home page without a reload,
# air an emergency after confirming, download the XLSX report and open it
# with ssconvert, log out. A screenshot of each page goes to
# build/web-screens/ (LOAXA_SCREENS) for a person to look at (on the phone,
# NAME-full.png is the whole page); a failure prints its step and leaves
# fail-TAG-STEP.png and .html (the page source) there. Chromium runs in
# Vietnamese (--lang=vi), as the pages are, so dates show as dd/mm/yyyy.
. "$LOAXA_SRCDIR/tests/e2e/lib.sh"
: "${LOAXA_GEN_AUDIO:?}"
command -v chromium >/dev/null || { echo "SKIP: chromium is not installed"; exit 0; }
for t in chromedriver ssconvert curl; do
	command -v $t >/dev/null || { echo "SKIP: $t is not installed"; exit 0; }
done
/usr/bin/python3 -c 'import selenium' 2>/dev/null ||
	{ echo "SKIP: python3-selenium is not installed"; exit 0; }
SCREENS=${LOAXA_SCREENS:-$LOAXA_SRCDIR/build/web-screens}
mkdir -p "$SCREENS"

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat >loaxa.conf <<CONF
station = { code = "HY-KD-TT"; name = "Đài truyền thanh xã Toàn Thắng";
            timezone = "Asia/Ho_Chi_Minh"; };
paths = { data = "$T/data"; };
audio = { driver = "null"; realtime = true; };
web = { address = "127.0.0.1"; port = $PORT; };
CONF
export LOAXA_CONFIG="$T/loaxa.conf"
echo 'mat-khau-duyet' | "$LOAXA" web user add duyet --role approver >/dev/null || fail "user add"
echo 'mat-khau-vanhanh' | "$LOAXA" web user add vanhanh --role operator >/dev/null || fail "user add"
"$LOAXA_GEN_AUDIO" --format mp3 --kind speech --seconds 25 --seed 1 desktop.mp3 || fail gen-audio
"$LOAXA_GEN_AUDIO" --format mp3 --kind speech --seconds 25 --seed 2 phone.mp3 || fail gen-audio

"$LOAXA" run 2>run.err &
RUN=$!
"$LOAXA" web 2>web.err &
WEB=$!
trap 'kill $WEB $RUN 2>/dev/null; rm -rf "$T"' EXIT
i=0
until curl -s -o /dev/null "http://127.0.0.1:$PORT/login" && [ -S data/control.sock ]; do
	i=$((i + 1)); [ $i -lt 300 ] || fail "did not start: $(cat web.err run.err)"
	sleep 0.1
done

cat >scenario.py <<'PY'
import os, subprocess, sys, time, glob, traceback
from selenium import webdriver
from selenium.common.exceptions import TimeoutException, WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

port, screens, tmp, loaxa = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
U = "http://127.0.0.1:%s" % port
# Every wait is on an exact condition, bounded generously: a loaded machine
# is slow, never wrong.
BOUND = 30

class Failed(Exception):
    pass

def browser(w, h, dl):
    o = webdriver.ChromeOptions()
    for a in ("--headless", "--no-sandbox", "--disable-gpu", "--lang=vi",
              "--disable-background-networking", "--disable-component-update",
              "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
              "--hide-scrollbars",
              "--user-data-dir=" + os.path.join(tmp, "profile-%d" % w),
              "--window-size=%d,%d" % (w, h)):
        o.add_argument(a)
    o.add_experimental_option("prefs", {"download.default_directory": dl,
                                        "download.prompt_for_download": False,
                                        "intl.accept_languages": "vi,vi-VN"})
    env = dict(os.environ, LANGUAGE="vi", LANG="C.UTF-8")
    d = webdriver.Chrome(service=Service("/usr/bin/chromedriver", env=env), options=o)
    d.set_window_size(w, h)
    d.set_page_load_timeout(BOUND)
    return d

def check(cond, what):
    if not cond:
        raise Failed(what)

def run(tag, w, h, audio, title):
    dl = os.path.join(tmp, "dl-" + tag)
    os.makedirs(dl, exist_ok=True)
    d = browser(w, h, dl)
    step = ["starting the browser"]

    def at(name):
        step[0] = name
        print("%s: %s" % (tag, name), flush=True)

    def until(cond, what):
        # While a page is replaced, chromedriver may answer with errors of
        # its own ("Node with given id does not belong to the document"):
        # they mean "not yet", and the last one is told if time runs out.
        last = []

        def probe(x):
            try:
                return cond(x)
            except WebDriverException as e:
                last[:] = [e]
                return False
        try:
            return WebDriverWait(d, BOUND, poll_frequency=0.1).until(probe)
        except TimeoutException:
            raise Failed("waited %d s for %s%s" % (BOUND, what, "; last error: " +
                         last[0].msg.splitlines()[0] if last and last[0].msg else ""))

    def loaded(what):
        until(lambda x: x.execute_script("return document.readyState") == "complete",
              what + " to load")

    def load(path):
        d.get(U + path)
        loaded(path)

    def leave(act, what):
        # Something that leaves the page: the mark set on this document is
        # gone from the next one, which is then complete.
        d.execute_script("window.loaxaDoc = 1;")
        act()
        until(lambda x: x.execute_script("return window.loaxaDoc === undefined && "
                                         "document.readyState === 'complete'"),
              "the page after " + what)

    def submit(elem, what):
        leave(elem.click, what)

    def shot(name):
        d.save_screenshot(os.path.join(screens, "%s-%s.png" % (tag, name)))
        # Nothing wider than the window: a phone would cut it off or scroll
        # the whole page sideways (wide tables scroll in their own box).
        over = d.execute_script("return document.documentElement.scrollWidth - "
                                "document.documentElement.clientWidth")
        check(over <= 0, "the page %s is %d px wider than the window" % (name, over))
        if w < 600:
            # The whole page too, for what a phone shows only by scrolling.
            m = d.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]
            png = d.execute_cdp_cmd("Page.captureScreenshot", {
                "format": "png", "captureBeyondViewport": True,
                "clip": {"x": 0, "y": 0, "width": m["width"],
                         "height": min(m["height"], 4000), "scale": 1}})["data"]
            import base64
            with open(os.path.join(screens, "%s-%s-full.png" % (tag, name)), "wb") as f:
                f.write(base64.b64decode(png))

    def text(id_):
        return d.find_element(By.ID, id_).text

    try:
        at("the home page without a session")
        load("/")
        check(d.current_url.endswith("/login"), "not sent to /login: " + d.current_url)
        shot("login")
        at("a wrong password")
        d.find_element(By.ID, "name").send_keys("vanhanh")
        d.find_element(By.ID, "password").send_keys("sai-mat-khau")
        submit(d.find_element(By.ID, "login"), "a wrong password")
        check("Sai tên hoặc mật khẩu" in text("message"), "no wrong-password message")

        def login(name, pw):
            at("log in as " + name)
            load("/login")
            d.find_element(By.ID, "name").send_keys(name)
            d.find_element(By.ID, "password").send_keys(pw)
            submit(d.find_element(By.ID, "login"), "logging in")
            until(lambda x: x.find_elements(By.ID, "onair-title"), "the home page")

        def logout():
            at("log out")
            submit(d.find_element(By.ID, "logout"), "logging out")
            until(lambda x: x.current_url.endswith("/login"), "the login page")

        login("vanhanh", "mat-khau-vanhanh")
        at("upload an MP3")
        load("/bulletins")
        form = d.find_element(By.ID, "upload-form")
        check(form.get_attribute("open") is None, "the upload form open at first")
        # The list comes before the upload on the page.
        check(d.execute_script(
            "return document.getElementById('bulletins').compareDocumentPosition("
            "document.getElementById('upload-form')) & Node.DOCUMENT_POSITION_FOLLOWING"),
            "the upload form before the list")
        d.find_element(By.CSS_SELECTOR, "#upload-form summary").click()
        until(lambda x: x.find_element(By.ID, "title").is_displayed(), "the upload form to open")
        d.find_element(By.ID, "file").send_keys(audio)
        d.find_element(By.ID, "title").send_keys(title)
        d.execute_script("arguments[0].scrollIntoView()", form)
        shot("upload-form")
        submit(d.find_element(By.ID, "upload"), "the upload")
        res = until(lambda x: x.find_element(By.ID, "results"), "the upload's results")
        check("chờ duyệt" in res.text, "the upload: " + res.text)
        shot("upload")
        link = res.find_element(By.TAG_NAME, "a").get_attribute("href")
        bid = link.rsplit("/", 1)[1]
        at("see it pending")
        load("/bulletins")
        Select(d.find_element(By.ID, "status")).select_by_value("pending")
        submit(d.find_element(By.CSS_SELECTOR, "form.filters button"), "the filter")
        check("status=pending" in d.current_url, "the filter's url: " + d.current_url)
        check(title in text("bulletins"), "not in the pending list: " + text("bulletins"))
        shot("bulletins")
        at("no approve button for an operator")
        load("/bulletins/" + bid)
        check(not d.find_elements(By.ID, "approve"), "an approve button for an operator")
        shot("bulletin")
        at("a forged approval refused")
        leave(lambda: d.execute_script(
            "var f=document.createElement('form');f.method='post';"
            "f.action='/bulletins/%s/approve';var i=document.createElement('input');"
            "i.name='csrf';i.value=document.querySelector('input[name=csrf]').value;"
            "f.appendChild(i);document.body.appendChild(f);f.submit();" % bid),
            "the forged approval")
        check("Chỉ người duyệt" in text("message"), "no refusal: " + d.page_source[:2000])
        shot("refused")
        logout()
        login("duyet", "mat-khau-duyet")
        at("approve")
        load("/bulletins/" + bid)
        submit(d.find_element(By.ID, "approve"), "approving")
        check(text("status") == "đã duyệt", "not approved: " + text("status"))
        at("the station link's state on the home page")
        os.makedirs(os.path.join(tmp, "data", "link"), exist_ok=True)
        up = w >= 600
        with open(os.path.join(tmp, "data", "link", "status.json"), "w") as f:
            f.write('{"connected": %s, "since": "2026-12-07T05:30:00.000+07:00", '
                    '"broker": "mqtts://ttvh-kimdong.vn:8883", "queued": %d, '
                    '"last_package": "KD-2026-118", "last_command": "reload"}\n'
                    % ("true" if up else "false", 0 if up else 12))
        load("/")
        want = "trực tuyến" if up else "mất kết nối"
        until(lambda x: x.find_element(By.ID, "uplink").text == want,
              "'Kết nối huyện: %s'" % want)
        detail = text("uplink-detail")
        check("từ 07/12/2026 05:30" in detail and ("%d tin chờ gửi" % (0 if up else 12))
              in detail, "the link's details: " + detail)
        at("watch it air on the home page")
        marker = d.execute_script("window.loaxaMarker = 1; return window.loaxaMarker;")
        subprocess.run([loaxa, "play", bid], check=True, capture_output=True)
        until(lambda x: x.find_element(By.ID, "onair-title").text == title,
              "the title on air")
        check(d.execute_script("return window.loaxaMarker;") == marker,
              "the home page reloaded")
        until(lambda x: x.find_element(By.ID, "onair-bar").value_of_css_property("width")
              not in ("0px", "auto"), "the progress bar to move")
        shot("home")
        at("an emergency, confirmed")
        load("/play")
        Select(d.find_element(By.ID, "play-id")).select_by_value(bid)
        Select(d.find_element(By.ID, "play-priority")).select_by_value("emergency")
        shot("play")
        submit(d.find_element(By.ID, "play"), "asking for an emergency")
        shot("confirm")
        submit(d.find_element(By.ID, "confirm"), "confirming the emergency")
        check("Đã gửi lệnh phát" in text("message"), "not sent: " + text("message"))
        at("the emergency on air")
        load("/")
        until(lambda x: "khẩn cấp" in x.find_element(By.ID, "onair-slot").text,
              "the emergency on air")
        for name in ("plan", "log", "reports"):
            at("the page " + name)
            load("/" + name)
            shot(name)
        at("download the XLSX report")
        d.find_element(By.ID, "dl-xlsx").click()
        got = until(lambda x: glob.glob(os.path.join(dl, "*.xlsx")), "the XLSX download")
        out = os.path.join(tmp, tag + ".csv")
        at("open the XLSX with ssconvert")
        p = subprocess.run(["ssconvert", got[0], out], capture_output=True)
        check(p.returncode == 0 and os.path.getsize(out) > 0,
              "ssconvert: %s" % p.stderr.decode(errors="replace"))
        logout()
        at("no page after logging out")
        load("/bulletins")
        check(d.current_url.endswith("/login"), "a page after logging out")
    except Exception as e:
        name = "fail-%s-%s" % (tag, step[0].replace(" ", "-").replace("/", "-"))
        print("FAIL at step '%s' (%s): %s" % (step[0], tag, e), file=sys.stderr)
        traceback.print_exc()
        try:
            d.save_screenshot(os.path.join(screens, name + ".png"))
            with open(os.path.join(screens, name + ".html"), "w") as f:
                f.write("<!-- %s -->\n" % d.current_url)
                f.write(d.page_source)
            print("saved %s/%s.png and .html" % (screens, name), file=sys.stderr)
        except Exception as e2:
            print("could not save the page: %s" % e2, file=sys.stderr)
        sys.exit(1)
    finally:
        d.quit()

for f in glob.glob(os.path.join(screens, "fail-*")):
    os.unlink(f)
run("desktop", 1280, 900, os.path.join(tmp, "desktop.mp3"), "Tin máy tính")
subprocess.run([loaxa, "stop"], capture_output=True)
run("phone", 360, 740, os.path.join(tmp, "phone.mp3"), "Tin điện thoại")
print("scenario passed")
PY
run /usr/bin/python3 scenario.py "$PORT" "$SCREENS" "$T" "$LOAXA"
if [ "$RC" -ne 0 ]; then
	echo "--- loaxa web:" >&2; tail -n 30 web.err >&2
	echo "--- loaxa run:" >&2; tail -n 30 run.err >&2
fi
expect_rc 0
expect_out "scenario passed"
run "$LOAXA" log --format json
expect_out '"reason": "emergency"'
run "$LOAXA" show 1
expect_out "duyet (web)"
echo "web-browser.sh: $CHECKS checks passed"
