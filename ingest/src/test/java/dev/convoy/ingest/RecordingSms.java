package dev.convoy.ingest;

import dev.convoy.ingest.auth.SmsSender;
import io.vertx.core.Future;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** An SMS sender that keeps the texts, so a test can read the code a phone was sent. */
final class RecordingSms implements SmsSender {

    private static final Pattern CODE = Pattern.compile("\\b(\\d{6})\\b");

    private final Map<String, List<String>> texts = new ConcurrentHashMap<>();

    @Override
    public Future<Void> send(String phoneE164, String text) {
        texts.computeIfAbsent(phoneE164, p -> new CopyOnWriteArrayList<>()).add(text);
        return Future.succeededFuture();
    }

    @Override
    public String describe() {
        return "test recorder";
    }

    /** How many texts went out, to any number. */
    int count() {
        return texts.values().stream().mapToInt(List::size).sum();
    }

    List<String> textsTo(String phoneE164) {
        return texts.getOrDefault(phoneE164, List.of());
    }

    /** The code in the last text to {@code phoneE164}. */
    String lastCode(String phoneE164) {
        List<String> sent = textsTo(phoneE164);
        if (sent.isEmpty()) {
            throw new AssertionError("no text was sent to " + phoneE164);
        }
        Matcher m = CODE.matcher(sent.get(sent.size() - 1));
        if (!m.find()) {
            throw new AssertionError("no code in '" + sent.get(sent.size() - 1) + "'");
        }
        return m.group(1);
    }
}
