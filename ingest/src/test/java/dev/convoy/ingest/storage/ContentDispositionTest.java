package dev.convoy.ingest.storage;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ContentDispositionTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "clip.mp4|clip.mp4",
            "../../etc/passwd|passwd",
            "C:\\\\Users\\\\cam\\\\front.mp4|front.mp4",
            "/sdcard/DCIM/2026_1127_081500.MP4|2026_1127_081500.MP4",
            "dir/|''",
            "..|''",
            "a/..|''"})
    void onlyTheBaseNameIsKept(String name, String expected) {
        assertThat(ContentDisposition.baseName(name)).isEqualTo(expected);
    }

    @Test
    void controlCharactersAreDropped() {
        assertThat(ContentDisposition.baseName("line\r\nbreak\u0000.mp4")).isEqualTo("linebreak.mp4");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "clip.mp4|attachment; filename=\"clip.mp4\"",
            "front camera.mp4|attachment; filename=\"front camera.mp4\"",
            "Überfahrt 東京.mp4|attachment; filename=\"_berfahrt __.mp4\"; filename*=UTF-8''%C3%9Cberfahrt%20%E6%9D%B1%E4%BA%AC.mp4",
            "say \"hi\".mp4|attachment; filename=\"say _hi_.mp4\"; filename*=UTF-8''say%20%22hi%22.mp4",
            "100%.mp4|attachment; filename=\"100_.mp4\"; filename*=UTF-8''100%25.mp4"})
    void plainNamesAreQuotedAndOthersAlsoGoAsUtf8(String name, String header) {
        assertThat(ContentDisposition.attachment(name)).isEqualTo(header);
    }
}
