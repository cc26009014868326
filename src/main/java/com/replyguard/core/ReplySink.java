package com.replyguard.core;

/** Where replies go (stdout, a webhook, a queue). */
public interface ReplySink {

    /** @throws DeliveryException when the reply was not accepted; the job is then retried */
    void deliver(Reply reply) throws DeliveryException;

    final class DeliveryException extends Exception {
        public DeliveryException(String message, Throwable cause) {
            super(message, cause);
        }

        public DeliveryException(String message) {
            super(message);
        }
    }
}
