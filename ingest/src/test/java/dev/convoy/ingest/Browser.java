package dev.convoy.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.logging.Level;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Debian's Chromium, headless, driven through its chromedriver (Selenium finds no browser of
 * its own here and downloads none). Where neither is installed the browser tests are skipped,
 * unless {@code CONVOY_BROWSER_TESTS=required} (CI installs both and sets it) makes that a failure.
 */
final class Browser implements AutoCloseable {

    static final Dimension DESKTOP = new Dimension(1280, 900);
    static final Dimension PHONE = new Dimension(390, 844);
    private static final Path SCREENSHOTS = Path.of("target", "screenshots");

    final ChromeDriver driver;
    private final Path profile;

    private Browser(ChromeDriver driver, Path profile) {
        this.driver = driver;
        this.profile = profile;
    }

    static Browser start() throws Exception {
        String chromium = System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium");
        String chromedriver = System.getenv().getOrDefault("CHROMEDRIVER", "/usr/bin/chromedriver");
        boolean installed = Files.isExecutable(Path.of(chromium)) && Files.isExecutable(Path.of(chromedriver));
        if (!installed && "required".equals(System.getenv("CONVOY_BROWSER_TESTS"))) {
            throw new IllegalStateException("Browser tests need " + chromium + " and " + chromedriver
                    + ": apt-get install -y chromium chromium-driver");
        }
        Assumptions.assumeTrue(installed, "Chromium is not installed (apt-get install -y chromium chromium-driver);"
                + " the browser tests are skipped");
        Path profile = Files.createTempDirectory("convoy-chromium");
        ChromeOptions options = new ChromeOptions().setBinary(chromium).addArguments(
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                // Without these Chromium keeps trying the machine's closed network.
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-quic",
                "--no-first-run", "--no-default-browser-check", "--mute-audio", "--autoplay-policy=no-user-gesture-required",
                "--user-data-dir=" + profile, "--window-size=" + DESKTOP.width + "," + DESKTOP.height);
        // The page's console is read after each test: a script error or a refused resource fails it.
        options.setCapability("goog:loggingPrefs", Map.of("browser", "ALL"));
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(new File(chromedriver))
                .usingAnyFreePort().build();
        return new Browser(new ChromeDriver(service, options), profile);
    }

    void open(String url) {
        driver.get(url);
    }

    Object js(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    WebElement find(String css) {
        return driver.findElement(By.cssSelector(css));
    }

    /** Waits up to {@code seconds} for {@code condition} to give something other than null or false. */
    <T> T await(int seconds, String what, Function<WebDriver, T> condition) {
        // A page that redraws may replace an element between finding it and asking about it: ask again.
        return new WebDriverWait(driver, Duration.ofSeconds(seconds)).withMessage(what)
                .ignoring(StaleElementReferenceException.class).until(condition);
    }

    WebElement awaitVisible(String css) {
        return await(30, css + " shown", d -> d.findElements(By.cssSelector(css)).stream().filter(WebElement::isDisplayed)
                .findFirst().orElse(null));
    }

    /** Waits for an element that may be empty (and so not displayed), e.g. a list still loading. */
    WebElement awaitPresent(String css) {
        return await(30, css + " on the page", d -> d.findElements(By.cssSelector(css)).stream().findFirst().orElse(null));
    }

    void size(Dimension size) {
        driver.manage().window().setSize(size);
        // The window's inner width is what a page lays out in: make it the size asked for.
        long inner = ((Number) js("return window.innerWidth;")).longValue();
        if (inner != size.width) {
            driver.manage().window().setSize(new Dimension(size.width + (size.width - (int) inner), size.height));
        }
    }

    /** Writes a PNG of what the window shows now to {@code target/screenshots/NAME.png}. */
    Path screenshot(String name) throws Exception {
        Files.createDirectories(SCREENSHOTS);
        Path file = SCREENSHOTS.resolve(name + ".png");
        Files.write(file, driver.getScreenshotAs(OutputType.BYTES));
        return file;
    }

    /**
     * The console's errors since the last call: script errors, Content-Security-Policy refusals.
     * A resource answered with an error status (an API's 403 shown to the user) is not one.
     */
    List<String> consoleErrors() {
        return driver.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue())
                .map(LogEntry::getMessage)
                .filter(m -> !m.contains("Failed to load resource: the server responded with a status of"))
                .toList();
    }

    /** Fails when the page is wider than the window (a phone would scroll sideways). */
    void assertNoHorizontalScroll(String page) {
        long scroll = ((Number) js("return document.documentElement.scrollWidth;")).longValue();
        long inner = ((Number) js("return window.innerWidth;")).longValue();
        assertThat(scroll).as("%s is %d px wide in a %d px window", page, scroll, inner).isLessThanOrEqualTo(inner);
    }

    @Override
    public void close() throws Exception {
        try {
            driver.quit();
        } finally {
            try (var files = Files.walk(profile)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
