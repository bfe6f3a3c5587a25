package dev.convoy.ingest.auth;

import io.vertx.core.Context;
import io.vertx.core.Future;
import java.util.HashMap;
import java.util.Map;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sns.SnsAsyncClient;
import software.amazon.awssdk.services.sns.model.MessageAttributeValue;

/** Texts through AWS SNS (credentials from the standard AWS chain), as transactional SMS. */
public final class SnsSmsSender implements SmsSender, AutoCloseable {

    private final SnsAsyncClient sns;
    private final Context context;
    private final String senderId;

    public SnsSmsSender(Context context, String region, String senderId) {
        this.sns = SnsAsyncClient.builder().region(Region.of(region)).build();
        this.context = context;
        this.senderId = senderId;
    }

    @Override
    public Future<Void> send(String phoneE164, String text) {
        Map<String, MessageAttributeValue> attributes = new HashMap<>();
        attributes.put("AWS.SNS.SMS.SMSType", MessageAttributeValue.builder().dataType("String").stringValue("Transactional").build());
        if (senderId != null && !senderId.isBlank()) {
            attributes.put("AWS.SNS.SMS.SenderID", MessageAttributeValue.builder().dataType("String").stringValue(senderId).build());
        }
        return Future.fromCompletionStage(sns.publish(b -> b.phoneNumber(phoneE164).message(text).messageAttributes(attributes))
                .thenApply(r -> (Void) null), context);
    }

    @Override
    public String describe() {
        return "AWS SNS";
    }

    @Override
    public void close() {
        sns.close();
    }
}
