package dev.convoy.ingest.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ConnectException;
import java.nio.file.NoSuchFileException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

class StoreFailuresTest {

    static Stream<Arguments> failures() {
        return Stream.of(
                Arguments.of("connection refused", new CompletionException(SdkClientException.create("Unable to execute",
                        new ConnectException("Connection refused"))), true),
                Arguments.of("store answers 503", S3Exception.builder().statusCode(503).message("Slow Down").build(), true),
                Arguments.of("store answers 500", new CompletionException(S3Exception.builder().statusCode(500).build()), true),
                Arguments.of("timed out", new TimeoutException("no answer in 30 s"), true),
                Arguments.of("connection reset", new IOException("Connection reset by peer"), true),
                Arguments.of("access denied", S3Exception.builder().statusCode(403).message("AccessDenied").build(), false),
                Arguments.of("no such key", NoSuchKeyException.builder().statusCode(404).build(), false),
                Arguments.of("a bug", new IllegalStateException("index out of range"), false),
                Arguments.of("a local file", new CompletionException(new NoSuchFileException("/data/uploads/x.bin")), false),
                Arguments.of("a decode error", new IllegalArgumentException("bad JSON"), false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("failures")
    void onlyAStoreThatDidNotAnswerIsAnOutage(String what, Throwable failure, boolean unavailable) {
        assertThat(StoreFailures.isUnavailable(failure)).isEqualTo(unavailable);
    }
}
