package dev.convoy.transcoder;

/**
 * What renditions to make of a clip, as data so that operators can tune it.
 *
 * @param posterWidth          poster JPEG width in pixels (aspect kept, height even)
 * @param posterQuality        JPEG quality as an MJPEG qscale, 2 (best) to 31
 * @param previewHeight        preview height in lines for landscape input (width follows the aspect, even)
 * @param previewMaxFps        source frame rates above this are capped
 * @param previewVideoBitrate  preview target video bitrate in bit/s
 * @param previewAudioBitrate  preview AAC bitrate in bit/s
 * @param threads              codec threads for decoding and encoding one clip
 */
public record RenditionSpec(
        int posterWidth,
        int posterQuality,
        int previewHeight,
        double previewMaxFps,
        int previewVideoBitrate,
        int previewAudioBitrate,
        int threads) {

    public static RenditionSpec defaults() {
        return new RenditionSpec(1280, 3, 360, 30.0, 500_000, 64_000,
                Math.max(1, Runtime.getRuntime().availableProcessors()));
    }

    public RenditionSpec withThreads(int threads) {
        return new RenditionSpec(posterWidth, posterQuality, previewHeight, previewMaxFps,
                previewVideoBitrate, previewAudioBitrate, threads);
    }
}
