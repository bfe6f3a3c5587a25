package dev.convoy.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.convoy.transcoder.TestClips;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.Select;

/**
 * The web pages in a real browser (Debian's Chromium), against a live server with the embedded
 * store, worker processes and clips uploaded by the tus Java client: what an owner and an
 * operator do, at a desktop's and a phone's width. Screenshots of every page land in
 * {@code target/screenshots/}.
 */
class WebPagesTest {

    private static final String OPERATOR = "+16502530099";

    @TempDir
    static Path dataDir;

    static LiveService live;
    static Browser browser;

    @BeforeAll
    static void start() throws Exception {
        // Chromium shares the machine's cores with the server: the event loop's limit allows for that.
        live = LiveService.start(dataDir, "--operator-phones", OPERATOR, "--event-loop-max-ms", "1000");
        try {
            browser = Browser.start();
        } catch (Exception | Error e) {
            live.close();
            live = null;
            throw e;
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (browser != null) {
            browser.close();
        }
        if (live != null) {
            live.close();
        }
    }

    @AfterEach
    void noScriptErrors() {
        assertThat(browser.consoleErrors()).as("errors in the browser's console").isEmpty();
    }

    @BeforeEach
    void freshSession() {
        browser.size(Browser.DESKTOP);
        browser.open(live.server().baseUrl() + "/");
        browser.js("localStorage.clear();");
    }

    /** Signs in through the page as {@code phone}; returns the owner id the session names. */
    private String signIn(String phone) {
        browser.open(live.server().baseUrl() + "/");
        browser.awaitVisible("#phone").sendKeys(phone);
        browser.find("form button[type=submit]").click();
        WebElement code = browser.awaitVisible("#code");
        code.sendKeys(live.server().sms().lastCode(phone));
        code.submit();
        browser.awaitPresent("#grid");
        return (String) browser.js("return JSON.parse(localStorage.getItem('convoy.session')).owner;");
    }

    private static String upload(String deviceToken, Path clip, Map<String, String> metadata) throws Exception {
        return Clips.idOf(Clips.upload(clip, deviceToken, live.server().baseUrl() + "/files/", metadata));
    }

    @Test
    void anOwnerSignsInSeesClipsArriveFiltersWatchesDownloadsAndDeletes() throws Exception {
        browser.open(live.server().baseUrl() + "/");
        browser.awaitVisible("#phone");
        browser.screenshot("sign-in-desktop");
        browser.awaitVisible("#phone").sendKeys("+1 650 253 0001");
        browser.find("form button[type=submit]").click();
        browser.awaitVisible("#code").sendKeys("000000");
        browser.find("#code").submit();
        String refusal = browser.await(10, "a wrong code is refused with a sentence", d -> {
            String text = d.findElement(By.id("sign-in-error")).getText();
            return text.isEmpty() ? null : text;
        });
        assertThat(refusal).contains("not the one sent");
        WebElement code = browser.find("#code");
        code.clear();
        code.sendKeys(live.server().sms().lastCode("+16502530001"));
        code.submit();
        browser.awaitPresent("#grid");
        String owner = (String) browser.js("return JSON.parse(localStorage.getItem('convoy.session')).owner;");
        assertThat(browser.find("#ops-link").isDisplayed()).as("an owner is offered no operators' page").isFalse();
        String session = (String) browser.js("return JSON.parse(localStorage.getItem('convoy.session')).token;");
        JsonObject front = live.api().pair(session, "Front camera");
        String camera = front.getString("token");
        JsonObject rear = live.api().pair(session, "Rear camera");
        browser.driver.navigate().refresh();
        browser.await(10, "the cameras offered as a filter", d -> d.findElements(By.cssSelector("#filter-device option")).size() == 3);
        browser.js("window.convoyNoReload = true;");
        Path clip = TestClips.get(TestClips.Spec.small(640, 360, 4).withAudio());
        String name = clip.getFileName().toString();
        String brake = upload(camera, clip, Map.of("kind", "incident", "event", "hard_brake"));
        WebElement card = browser.awaitVisible("a.card[data-id='" + brake + "']");
        assertThat(card).isNotNull();
        browser.await(120, "the clip turns into a thumbnail by itself",
                d -> d.findElements(By.cssSelector("a.card[data-id='" + brake + "'] img.thumb")).isEmpty() ? null : true);
        assertThat(browser.js("return window.convoyNoReload === true;")).as("no reload").isEqualTo(true);
        // Half a clip, then the rest: its card shows the progress, then turns into a thumbnail.
        byte[] second = Files.readAllBytes(TestClips.get(TestClips.Spec.small(640, 360, 3)));
        HttpResponse<Buffer> created = TestServer.await(live.web().postAbs(live.server().baseUrl() + "/files/")
                .putHeader("Tus-Resumable", "1.0.0").putHeader("Upload-Length", Integer.toString(second.length))
                .putHeader("Upload-Metadata", "kind " + b64("incident") + ",event " + b64("collision"))
                .bearerTokenAuthentication(camera).send());
        String collision = Clips.idOf(created.getHeader("Location"));
        int half = second.length / 2;
        assertThat(patch(camera, collision, 0, Arrays.copyOfRange(second, 0, half))).isEqualTo(204);
        String uploading = browser.await(30, "the card of a clip half uploaded", d -> {
            List<WebElement> found = d.findElements(By.cssSelector("a.card[data-id='" + collision + "'] .placeholder"));
            return found.isEmpty() ? null : found.get(0).getText();
        });
        long share = 100L * half / second.length;
        assertThat(uploading).contains("Uploading " + share + "%");
        assertThat(browser.find("a.card[data-id='" + collision + "'] [role=progressbar]").getAttribute("aria-valuenow"))
                .isEqualTo(Long.toString(share));
        assertThat(patch(camera, collision, half, Arrays.copyOfRange(second, half, second.length))).isEqualTo(204);
        browser.await(120, "the half-uploaded clip turns into a thumbnail once complete",
                d -> d.findElements(By.cssSelector("a.card[data-id='" + collision + "'] img.thumb")).isEmpty() ? null : true);
        String manual = upload(camera, TestClips.get(TestClips.Spec.small(640, 360, 2)), Map.of("kind", "manual"));
        String drive = upload(camera, TestClips.get(TestClips.Spec.small(640, 360, 2)), Map.of("kind", "drive"));
        browser.awaitVisible("a.card[data-id='" + collision + "']");
        live.clips().awaitCommitted(collision, live.server().ownerToken(owner));
        live.clips().awaitCommitted(manual, live.server().ownerToken(owner));
        assertThat(cards()).as("incidents only").contains(brake, collision).doesNotContain(manual);

        new Select(browser.find("#filter-event")).selectByValue("collision");
        browser.await(10, "the filter by event", d -> cards().equals(List.of(collision)));
        new Select(browser.find("#filter-event")).selectByValue("");
        browser.await(10, "no filter", d -> cards().size() == 2);
        new Select(browser.find("#filter-device")).selectByValue(rear.getString("deviceId"));
        browser.await(10, "the filter by camera: nothing from the rear one", d -> cards().isEmpty());
        new Select(browser.find("#filter-device")).selectByValue(front.getString("deviceId"));
        browser.await(10, "both from the front one", d -> cards().size() == 2);
        assertThat(browser.find("a.card .device").getText()).as("the camera's name").isEqualTo("Front camera");
        new Select(browser.find("#filter-device")).selectByValue("");
        browser.find("#filter-from").sendKeys("01012020");
        browser.find("#filter-to").sendKeys("01022020");
        browser.await(10, "a date range with nothing in it", d -> cards().isEmpty() && d.findElement(By.id("empty")).isDisplayed());
        browser.find("a[data-view=clips]").click();
        browser.await(10, "the manual clips", d -> cards().equals(List.of(manual)));
        live.clips().awaitCommitted(drive, live.server().ownerToken(owner));
        browser.find("a[data-view=drives]").click();
        browser.await(10, "the drives", d -> cards().equals(List.of(drive)));
        assertThat(browser.awaitVisible("a.card[data-id='" + drive + "'] .expires").getText())
                .as("a drive says when it goes").isIn("Expires in 60 days", "Expires in 59 days");
        browser.find("a[data-view=incidents]").click();
        browser.await(30, "both incidents' thumbnails", d -> d.findElements(By.cssSelector("img.thumb")).size() == 2
                && (Boolean) browser.js("return [...document.querySelectorAll('img.thumb')].every(i => i.complete && i.naturalWidth > 0);"));
        browser.screenshot("clips-desktop");

        browser.find("a.card[data-id='" + brake + "']").click();
        WebElement video = browser.awaitVisible("#preview");
        browser.await(30, "the preview plays", d -> ((Number) browser.js("return arguments[0].currentTime;", video)).doubleValue() > 0.5);
        assertThat(browser.find("#facts").getText()).contains("360p", "30 fps", "0:04", name, "Hard brake", "AAC");
        WebElement seek = browser.find("#seek");
        new Actions(browser.driver).moveToElement(seek, seek.getSize().width / 4, 0).perform();
        WebElement tile = browser.awaitVisible("#storyboard-preview");
        assertThat(tile.getCssValue("background-image")).as("a storyboard tile").contains("/media/").contains("sprite.jpg");
        browser.screenshot("clip-desktop");

        String href = browser.find("#download").getAttribute("href");
        assertThat(browser.find("#download").getText()).contains(name);
        assertThat(href).as("served through Convoy, not the store's loopback port").startsWith(live.server().baseUrl() + "/media/");
        // The browser itself fetches the link (same origin, under the pages' Content-Security-Policy) and hashes it.
        Object inBrowser = browser.driver.executeAsyncScript("const done = arguments[arguments.length - 1];"
                + "fetch(arguments[0]).then(r => r.arrayBuffer()).then(b => crypto.subtle.digest('SHA-256', b))"
                + ".then(d => done([...new Uint8Array(d)].map(x => x.toString(16).padStart(2, '0')).join('')))"
                + ".catch(e => done('failed: ' + e));", href);
        assertThat(inBrowser).isEqualTo(Clips.sha256(Files.readAllBytes(clip)));
        HttpResponse<Buffer> original = TestServer.await(live.web().getAbs(href).send());
        assertThat(original.getHeader("Content-Disposition")).contains(name);
        assertThat(Clips.sha256(original.body().getBytes())).isEqualTo(Clips.sha256(Files.readAllBytes(clip)));
        String preview = (String) browser.js("return arguments[0].currentSrc;", video);
        HttpResponse<Buffer> range = TestServer.await(live.web().getAbs(preview).putHeader("Range", "bytes=100-199").send());
        assertThat(range.statusCode()).as("the video seeks: ranges are served").isEqualTo(206);
        assertThat(range.body().length()).isEqualTo(100);

        browser.find("#delete").click();
        browser.awaitVisible("#confirm-delete");
        browser.find("#keep").click();
        assertThat(live.api().send(HttpMethod.GET, "/api/clips/" + brake, live.server().ownerToken(owner), null).statusCode())
                .as("kept when the owner says so").isEqualTo(200);
        browser.find("#delete").click();
        browser.awaitVisible("#confirm").click();
        browser.await(15, "back at the incidents, told so", d -> d.findElement(By.cssSelector("p.notice")).getText()
                .contains("deleted"));
        assertThat(cards()).doesNotContain(brake);
        assertThat(live.api().send(HttpMethod.GET, "/api/clips/" + brake, live.server().ownerToken(owner), null).statusCode())
                .isEqualTo(404);
        assertThat(TestServer.await(live.web().getAbs(href).send()).statusCode()).as("its original is gone").isEqualTo(404);
        Path objects = dataDir.resolve("objects/convoy/clips").resolve(owner).resolve(brake);
        assertThat(Files.exists(objects)).as("no object is left").isFalse();

        browser.size(Browser.PHONE);
        browser.open(live.server().baseUrl() + "/#/incidents");
        browser.await(30, "thumbnails at a phone's width", d -> !d.findElements(By.cssSelector("img.thumb")).isEmpty());
        browser.assertNoHorizontalScroll("the incidents");
        browser.screenshot("clips-phone");
        browser.find("a.card[data-id='" + collision + "']").click();
        browser.awaitVisible("#preview");
        browser.assertNoHorizontalScroll("a clip");
        browser.screenshot("clip-phone");
        browser.find("#sign-out").click();
        browser.awaitVisible("#phone");
        browser.assertNoHorizontalScroll("sign-in");
        browser.screenshot("sign-in-phone");
        assertThat(browser.js("return localStorage.getItem('convoy.session');")).as("signed out").isNull();
    }

    @Test
    void anOwnerPairsACameraSeesItsTokenOnceAsTextAndQrCodeAndRevokesIt() throws Exception {
        signIn("+16502530002");
        browser.find("a[data-view=devices]").click();
        browser.awaitVisible("#device-name").sendKeys("Rear camera");
        browser.find("#device-name").submit();
        String token = browser.awaitVisible("#device-token").getText();
        WebElement qr = browser.find("#pairing-qr");
        assertThat(qr.getAttribute("alt")).contains("Rear camera");
        assertThat(qr.getAttribute("data-payload")).startsWith("convoy://pair?server=").contains(token);
        String rearId = qr.getAttribute("data-payload").replaceAll(".*[?&]device=([^&]*).*", "$1");
        assertThat((Boolean) browser.js("return arguments[0].complete && arguments[0].naturalWidth > 20;", qr)).isTrue();
        HttpResponse<Buffer> created = TestServer.await(live.web().postAbs(live.server().baseUrl() + "/files/")
                .putHeader("Tus-Resumable", "1.0.0").putHeader("Upload-Length", "10").bearerTokenAuthentication(token).send());
        assertThat(created.statusCode()).as("the token shown uploads").isEqualTo(201);
        WebElement row = browser.awaitVisible("#devices tbody tr");
        assertThat(row.getText()).contains("Rear camera", "Active");
        // A name is text wherever it is shown, never markup.
        String hostile = "<img src=x onerror=\"window.pwned=1\">";
        browser.find("#device-name").sendKeys(hostile);
        browser.find("#device-name").submit();
        browser.await(10, "the hostile name listed", d -> d.findElements(By.cssSelector("#devices tbody tr")).size() == 2);
        assertThat(browser.find("#devices tbody").getText()).contains(hostile);
        assertThat(browser.js("return window.pwned === undefined && document.querySelectorAll('#main img[src=x]').length === 0;"))
                .isEqualTo(true);
        browser.screenshot("devices-desktop");
        browser.size(Browser.PHONE);
        browser.assertNoHorizontalScroll("devices");
        browser.screenshot("devices-phone");
        browser.size(Browser.DESKTOP);

        browser.find("#devices tbody tr[data-device='" + rearId + "'] button.revoke").click();
        browser.awaitVisible("#confirm-revoke #confirm").click();
        browser.await(10, "the camera shows revoked", d -> d.findElement(By.cssSelector("#devices tbody tr[data-device='" + rearId
                + "']")).getText().contains("Revoked"));
        browser.await(15, "its token is refused", d -> {
            try {
                return TestServer.await(live.web().postAbs(live.server().baseUrl() + "/files/").putHeader("Tus-Resumable", "1.0.0")
                        .putHeader("Upload-Length", "10").bearerTokenAuthentication(token).send()).statusCode() == 401;
            } catch (Exception e) {
                return false;
            }
        });
    }

    @Test
    void operatorsWatchThePipelineMoveAndOwnersAreKeptOut() throws Exception {
        String owner = signIn("+16502530003");
        browser.open(live.server().baseUrl() + "/ops");
        String told = browser.await(10, "an owner is told the page is not theirs", d -> {
            String text = d.findElement(By.id("ops-status")).getText();
            return text.contains("operators only") ? text : null;
        });
        assertThat(told).contains("Only operators see the pipeline's numbers");
        assertThat(browser.find("#ops").isDisplayed()).isFalse();
        HttpResponse<Buffer> refused = live.api().send(HttpMethod.GET, "/api/ops/stats", live.server().ownerToken(owner), null);
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(ApiClient.errorCode(refused)).isEqualTo("operator_only");

        browser.js("localStorage.clear();");
        String operator = signIn(OPERATOR);
        assertThat(browser.awaitVisible("#ops-link").getText()).isEqualTo("Operations");
        browser.find("#ops-link").click();
        WebElement ready = browser.awaitVisible("#tile-ready-total");
        double before = Double.parseDouble(ready.getText());
        double createdBefore = Double.parseDouble(browser.find("#tile-uploads-created").getText());
        String camera = live.server().deviceToken(operator, "ops-cam");
        CompletableFuture<String> uploads = CompletableFuture.supplyAsync(() -> {
            try {
                String last = null;
                for (int i = 0; i < 3; i++) {
                    last = upload(camera, TestClips.get(TestClips.Spec.small(640, 360, 2)), Map.of("kind", "incident"));
                }
                return last;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        browser.await(60, "uploads counted", d -> Double.parseDouble(d.findElement(By.id("tile-uploads-created")).getText())
                >= createdBefore + 3);
        live.clips().awaitCommitted(uploads.get(), live.server().ownerToken(operator));
        browser.await(60, "clips ready counted", d -> Double.parseDouble(d.findElement(By.id("tile-ready-total")).getText())
                >= before + 3);
        browser.await(10, "a time to ready", d -> !d.findElement(By.id("tile-p95")).getText().equals("–"));
        double inFlight = Double.parseDouble(browser.find("#tile-uploads-active").getText());
        HttpResponse<Buffer> begun = TestServer.await(live.web().postAbs(live.server().baseUrl() + "/files/")
                .putHeader("Tus-Resumable", "1.0.0").putHeader("Upload-Length", "1000").bearerTokenAuthentication(camera).send());
        assertThat(begun.statusCode()).isEqualTo(201);
        browser.await(10, "an upload begun and not finished is in flight",
                d -> Double.parseDouble(d.findElement(By.id("tile-uploads-active")).getText()) >= inFlight + 1);
        browser.await(10, "the charts drawn", d -> !d.findElement(By.cssSelector("#chart-ready polyline")).getAttribute("points")
                .isEmpty());
        browser.screenshot("ops-desktop");
        browser.size(Browser.PHONE);
        browser.assertNoHorizontalScroll("/ops");
        browser.screenshot("ops-phone");
        // The page's numbers are the ones /metrics serves.
        String metrics = TestServer.await(live.web().getAbs(live.server().managementUrl() + "/metrics").send()).bodyAsString();
        String session = (String) browser.js("return JSON.parse(localStorage.getItem('convoy.session')).token;");
        JsonObject stats = TestServer.await(live.web().getAbs(live.server().baseUrl() + "/api/ops/stats")
                .bearerTokenAuthentication(session).send()).bodyAsJsonObject();
        JsonObject last = stats.getJsonArray("samples").getJsonObject(stats.getJsonArray("samples").size() - 1);
        assertThat(metrics).contains("convoy_upload_creations_total " + last.getDouble("uploadsCreated"));
        assertThat(metrics).contains("convoy_clips_in_flight{status=\"uploading\"} "
                + last.getJsonObject("clipsInFlight").getDouble("uploading"));
    }

    @Test
    void moreClipsComeAsThePageScrolls() throws Exception {
        String owner = signIn("+16502530004");
        String camera = live.server().deviceToken(owner, "scroll-cam");
        Path clip = TestClips.get(TestClips.Spec.small(320, 240, 1));
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ids.add(upload(camera, clip, Map.of("kind", "manual", "recordedAt", "2026-11-0" + (i + 1) + "T10:00:00Z")));
        }
        for (String id : ids) {
            live.clips().awaitCommitted(id, live.server().ownerToken(owner));
        }
        // One clip a page: the others come as the list is scrolled to its end.
        browser.size(Browser.PHONE);
        browser.open(live.server().baseUrl() + "/?pageSize=1#/clips");
        browser.await(30, "the whole list, newest first, a page at a time",
                d -> {
                    browser.js("window.scrollTo(0, document.body.scrollHeight);");
                    return cards().equals(List.of(ids.get(2), ids.get(1), ids.get(0)));
                });
        browser.await(10, "no more to load", d -> !d.findElement(By.id("more")).isDisplayed());
    }

    private static int patch(String token, String id, long offset, byte[] bytes) throws Exception {
        return TestServer.await(live.web().patchAbs(live.server().baseUrl() + "/files/" + id).putHeader("Tus-Resumable", "1.0.0")
                .putHeader("Upload-Offset", Long.toString(offset)).putHeader("Content-Type", "application/offset+octet-stream")
                .bearerTokenAuthentication(token).sendBuffer(Buffer.buffer(bytes))).statusCode();
    }

    private static String b64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    private List<String> cards() {
        return browser.driver.findElements(By.cssSelector("#grid a.card")).stream().map(a -> a.getAttribute("data-id")).toList();
    }
}
