package dev.convoy.ingest.tus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The header rules as tables, below the HTTP tests: each value, and what the endpoint makes of it. */
class TusHeadersTest {

    private static final Set<String> ALGORITHMS = Set.of("sha1", "sha256", "md5");

    @ParameterizedTest
    @ValueSource(strings = {"1.0.0"})
    void tusResumableAcceptsOnlyTheVersionSpoken(String value) {
        TusHeaders.requireVersion(value);
    }

    @ParameterizedTest
    @NullSource
    @ValueSource(strings = {"", "1.0", "0.2.2", "1.0.0 ", "2.0.0"})
    void tusResumableRefusesEveryOtherVersion(String value) {
        assertRefused(() -> TusHeaders.requireVersion(value), TusError.UNSUPPORTED_VERSION);
    }

    @ParameterizedTest
    @CsvSource({"0,0", "1,1", "' 42 ',42", "9223372036854775807,9223372036854775807"})
    void uploadOffsetIsANonNegativeInteger(String value, long expected) {
        assertThat(TusHeaders.uploadOffset(value)).isEqualTo(expected);
    }

    @ParameterizedTest
    @NullSource
    @ValueSource(strings = {"", "-1", "1.5", "0x10", "abc", "9223372036854775808", "+-1"})
    void uploadOffsetRefusesAnythingElse(String value) {
        assertRefused(() -> TusHeaders.uploadOffset(value), TusError.INVALID_OFFSET);
    }

    static Stream<Arguments> creationLengths() {
        return Stream.of(
                Arguments.of("100", null, 100L),
                Arguments.of("0", null, 0L),
                Arguments.of(null, "1", UploadState.DEFERRED),
                Arguments.of("100", "1", 100L));
    }

    @ParameterizedTest
    @MethodSource("creationLengths")
    void creationLengthIsUploadLengthOrADeferral(String length, String defer, long expected) {
        assertThat(TusHeaders.creationLength(length, defer)).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource(value = {"NULL,NULL", "NULL,0", "NULL,2", "NULL,yes", "-5,NULL", "ten,NULL", "'',NULL"}, nullValues = "NULL")
    void creationLengthRefusesAMissingOrBadLength(String length, String defer) {
        assertRefused(() -> TusHeaders.creationLength(length, defer), TusError.INVALID_LENGTH);
    }

    @Test
    void aPatchMayDeclareTheLengthOrLeaveItOut() {
        assertThat(TusHeaders.declaredLength(null)).isNull();
        assertThat(TusHeaders.declaredLength("7")).isEqualTo(7L);
        assertRefused(() -> TusHeaders.declaredLength("-7"), TusError.INVALID_LENGTH);
    }

    static Stream<Arguments> concatenations() {
        return Stream.of(
                Arguments.of(null, UploadState.Concat.NONE, List.of()),
                Arguments.of("partial", UploadState.Concat.PARTIAL, List.of()),
                Arguments.of(" partial ", UploadState.Concat.PARTIAL, List.of()),
                Arguments.of("final;/files/a /files/b", UploadState.Concat.FINAL, List.of("a", "b")),
                Arguments.of("final; https://host/files/a   https://host/files/b ", UploadState.Concat.FINAL, List.of("a", "b")),
                Arguments.of("final;c", UploadState.Concat.FINAL, List.of("c")));
    }

    @ParameterizedTest
    @MethodSource("concatenations")
    void uploadConcatIsPartialOrFinalWithItsParts(String value, UploadState.Concat concat, List<String> ids) {
        TusHeaders.ConcatRequest request = TusHeaders.concat(value);
        assertThat(request.concat()).isEqualTo(concat);
        assertThat(request.partIds()).isEqualTo(ids);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "Partial", "final", "final;", "final;   ", "final;/files/", "merge;/files/a", "partial;x"})
    void uploadConcatRefusesAnythingElse(String value) {
        assertRefused(() -> TusHeaders.concat(value), TusError.INVALID_CONCAT);
    }

    @Test
    void metadataDecodesPairsAndAllowsKeysWithoutValues() {
        assertThat(TusHeaders.metadata("filename Y2xpcC5tcDQ=,kind aW5jaWRlbnQ=, flag", 1000))
                .isEqualTo(Map.of("filename", "clip.mp4", "kind", "incident", "flag", ""));
        assertThat(TusHeaders.metadata(null, 1000)).isEmpty();
        assertThat(TusHeaders.metadata("  ", 1000)).isEmpty();
        assertThat(TusHeaders.metadata("a YQ==,,b Yg==", 1000)).containsEntry("a", "a").containsEntry("b", "b");
    }

    @ParameterizedTest
    @ValueSource(strings = {"a b c", "a !!!", "kind =aW5j", "a YQ==,b  Yg=="})
    void metadataRefusesPairsThatAreNotKeyAndBase64(String value) {
        assertRefused(() -> TusHeaders.metadata(value, 1000), TusError.INVALID_METADATA);
    }

    @Test
    void metadataLongerThanTheLimitIsRefusedBeforeDecoding() {
        assertRefused(() -> TusHeaders.metadata("a " + "Q".repeat(100), 50), TusError.METADATA_TOO_LARGE);
    }

    static Stream<Arguments> checksums() {
        return Stream.of(
                Arguments.of("sha1 Kq5sNclPz7QV2+lfQIuc6R7oRu0=", "sha1", 20),
                Arguments.of("SHA256 47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=", "sha256", 32),
                Arguments.of("md5 1B2M2Y8AsgTpgAmY7PhCfg==", "md5", 16));
    }

    @ParameterizedTest
    @MethodSource("checksums")
    void uploadChecksumIsAnAlgorithmAndABase64Digest(String value, String algorithm, int digestBytes) {
        UploadStore.ChunkChecksum checksum = TusHeaders.checksum(value, ALGORITHMS);
        assertThat(checksum.algorithm()).isEqualTo(algorithm);
        assertThat(checksum.expected()).hasSize(digestBytes);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "sha1", "crc32 AAAA", "sha1 not*base64", "sha1  Kq5s", "sha1 a b"})
    void uploadChecksumRefusesAnythingElse(String value) {
        assertRefused(() -> TusHeaders.checksum(value, ALGORITHMS), TusError.INVALID_CHECKSUM);
    }

    @Test
    void noChecksumHeaderIsNoCheck() {
        assertThat(TusHeaders.checksum(null, ALGORITHMS)).isNull();
    }

    static Stream<Arguments> trailers() {
        return Stream.of(
                Arguments.of(List.of("Upload-Checksum"), true),
                Arguments.of(List.of("upload-checksum"), true),
                Arguments.of(List.of("X-Foo, Upload-Checksum"), true),
                Arguments.of(List.of("X-Foo", "Upload-Checksum"), true),
                Arguments.of(List.of("X-Foo"), false),
                Arguments.of(List.of("Upload-Checksums"), false),
                Arguments.of(List.of(), false));
    }

    @ParameterizedTest
    @MethodSource("trailers")
    void theChecksumTrailerIsAnnouncedByName(List<String> trailerHeaders, boolean announced) {
        assertThat(TusHeaders.announcesChecksumTrailer(trailerHeaders)).isEqualTo(announced);
    }

    @ParameterizedTest
    @CsvSource(value = {"application/offset+octet-stream,true", "Application/Offset+Octet-Stream,true",
            "'application/offset+octet-stream; charset=binary',true", "application/octet-stream,false", "text/plain,false",
            "NULL,false"}, nullValues = "NULL")
    void bodiesMustBeOffsetStreams(String contentType, boolean accepted) {
        assertThat(TusHeaders.isOffsetStream(contentType)).isEqualTo(accepted);
    }

    static Stream<Arguments> bodies() {
        return Stream.of(
                Arguments.of(null, null, false),
                Arguments.of("0", null, false),
                Arguments.of("10", null, true),
                Arguments.of(null, "chunked", true),
                Arguments.of(null, "gzip, chunked", true),
                Arguments.of(null, "identity", false),
                Arguments.of("junk", null, false));
    }

    @ParameterizedTest
    @MethodSource("bodies")
    void aBodyIsAPositiveLengthOrAChunkedTransfer(String contentLength, String transferEncoding, boolean expected) {
        assertThat(TusHeaders.hasBody(contentLength, transferEncoding)).isEqualTo(expected);
    }

    private static void assertRefused(Runnable parse, TusError error) {
        assertThatThrownBy(parse::run).isInstanceOfSatisfying(TusException.class, e -> {
            assertThat(e.error()).isEqualTo(error);
            assertThat(e.getMessage()).as("a sentence a person can act on").hasSizeGreaterThan(10);
        });
    }
}
