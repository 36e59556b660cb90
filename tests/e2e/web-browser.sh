# loaxa web in a real browser (headless chromium through chromium-driver and
# python3-selenium), on a desktop window and a 360x740 phone: log in, upload
# a generated MP3, see it pending, be refused approval as an operator and
# approve as an approver, watch it air on the home page without a reload,
# air an emergency after confirming, download the XLSX report and open it
# with ssconvert, log out. A screenshot of each page goes to
# build/web-screens/ (LOAXA_SCREENS) for a person to look at.
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
	i=$((i + 1)); [ $i -lt 100 ] || fail "did not start: $(cat web.err run.err)"
	sleep 0.1
done

cat >scenario.py <<'PY'
import os, subprocess, sys, time, glob
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

port, screens, tmp, loaxa = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
U = "http://127.0.0.1:%s" % port

def browser(w, h, dl):
    o = webdriver.ChromeOptions()
    for a in ("--headless", "--no-sandbox", "--disable-gpu",
              "--disable-background-networking", "--disable-component-update",
              "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
              "--user-data-dir=" + os.path.join(tmp, "profile-%d" % w),
              "--window-size=%d,%d" % (w, h)):
        o.add_argument(a)
    o.add_experimental_option("prefs", {"download.default_directory": dl,
                                        "download.prompt_for_download": False})
    d = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=o)
    d.set_window_size(w, h)
    return d

def check(cond, what):
    if not cond:
        print("FAIL: " + what, file=sys.stderr)
        sys.exit(1)

def run(tag, w, h, audio, title):
    dl = os.path.join(tmp, "dl-" + tag)
    os.makedirs(dl, exist_ok=True)
    d = browser(w, h, dl)
    wait = WebDriverWait(d, 20)
    shot = lambda name: d.save_screenshot(os.path.join(screens, "%s-%s.png" % (tag, name)))
    try:
        def login(name, pw):
            d.get(U + "/login")
            d.find_element(By.ID, "name").send_keys(name)
            d.find_element(By.ID, "password").send_keys(pw)
            d.find_element(By.ID, "login").click()
            wait.until(lambda x: x.find_elements(By.ID, "onair-title"))
        d.get(U + "/")
        check(d.current_url.endswith("/login"), "the home page without a session")
        shot("login")
        d.find_element(By.ID, "name").send_keys("vanhanh")
        d.find_element(By.ID, "password").send_keys("sai-mat-khau")
        d.find_element(By.ID, "login").click()
        wait.until(lambda x: "Sai tên hoặc mật khẩu" in x.page_source)
        login("vanhanh", "mat-khau-vanhanh")
        # Upload, see it pending.
        d.get(U + "/bulletins")
        d.find_element(By.ID, "file").send_keys(audio)
        d.find_element(By.ID, "title").send_keys(title)
        d.find_element(By.ID, "upload").click()
        res = wait.until(lambda x: x.find_element(By.ID, "results"))
        check("chờ duyệt" in res.text, "the upload: " + res.text)
        shot("upload")
        link = res.find_element(By.TAG_NAME, "a").get_attribute("href")
        bid = link.rsplit("/", 1)[1]
        d.get(U + "/bulletins")
        Select(d.find_element(By.ID, "status")).select_by_value("pending")
        d.find_element(By.CSS_SELECTOR, "form.filters button").click()
        check(title in d.find_element(By.ID, "bulletins").text, "pending list")
        shot("bulletins")
        # The operator has no approve button, and a forged form is refused.
        d.get(link)
        check(not d.find_elements(By.ID, "approve"), "an approve button for an operator")
        shot("bulletin")
        d.execute_script(
            "var f=document.createElement('form');f.method='post';"
            "f.action='/bulletins/%s/approve';var i=document.createElement('input');"
            "i.name='csrf';i.value=document.querySelector('input[name=csrf]').value;"
            "f.appendChild(i);document.body.appendChild(f);f.submit();" % bid)
        wait.until(lambda x: "Chỉ người duyệt" in x.page_source)
        shot("refused")
        d.find_element(By.ID, "logout").click()
        wait.until(lambda x: x.current_url.endswith("/login"))
        # The approver approves.
        login("duyet", "mat-khau-duyet")
        d.get(link)
        d.find_element(By.ID, "approve").click()
        wait.until(lambda x: "đã duyệt" in x.page_source)
        # Watch it air on the home page, without a reload.
        d.get(U + "/")
        marker = d.execute_script("window.loaxaMarker = 1; return window.loaxaMarker;")
        subprocess.run([loaxa, "play", bid], check=True, capture_output=True)
        WebDriverWait(d, 20).until(
            lambda x: x.find_element(By.ID, "onair-title").text == title)
        check(d.execute_script("return window.loaxaMarker;") == marker,
              "the home page reloaded")
        time.sleep(1.5)
        shot("home")
        # An emergency, confirmed.
        d.get(U + "/play")
        Select(d.find_element(By.ID, "play-id")).select_by_value(bid)
        Select(d.find_element(By.ID, "play-priority")).select_by_value("emergency")
        shot("play")
        d.find_element(By.ID, "play").click()
        wait.until(lambda x: x.find_elements(By.ID, "confirm"))
        shot("confirm")
        d.find_element(By.ID, "confirm").click()
        wait.until(lambda x: "Đã gửi lệnh phát" in x.page_source)
        d.get(U + "/")
        WebDriverWait(d, 20).until(
            lambda x: "khẩn cấp" in x.find_element(By.ID, "onair-slot").text)
        # The other pages.
        for name in ("plan", "log", "reports"):
            d.get(U + "/" + name)
            time.sleep(0.5)
            shot(name)
        d.find_element(By.ID, "dl-xlsx").click()
        for _ in range(100):
            got = [f for f in glob.glob(os.path.join(dl, "*.xlsx"))]
            if got:
                break
            time.sleep(0.2)
        check(got, "no XLSX downloaded")
        time.sleep(0.5)
        out = os.path.join(tmp, tag + ".csv")
        subprocess.run(["ssconvert", got[0], out], check=True, capture_output=True)
        check(os.path.getsize(out) > 0, "ssconvert read nothing")
        d.find_element(By.ID, "logout").click()
        wait.until(lambda x: x.current_url.endswith("/login"))
        d.get(U + "/bulletins")
        check(d.current_url.endswith("/login"), "a page after logging out")
    except Exception:
        shot("failure")
        raise
    finally:
        d.quit()

run("desktop", 1280, 900, os.path.join(tmp, "desktop.mp3"), "Tin máy tính")
subprocess.run([loaxa, "stop"], capture_output=True)
run("phone", 360, 740, os.path.join(tmp, "phone.mp3"), "Tin điện thoại")
print("scenario passed")
PY
run /usr/bin/python3 scenario.py "$PORT" "$SCREENS" "$T" "$LOAXA"
expect_rc 0
expect_out "scenario passed"
run "$LOAXA" log --format json
expect_out '"reason": "emergency"'
run "$LOAXA" show 1
expect_out "duyet (web)"
echo "web-browser.sh: $CHECKS checks passed"
