package com.replyguard.core;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256 of a text, in hex: whole as an identifier, or cut short to tell equal texts apart in logs. */
public final class Fingerprint {

    private Fingerprint() {
    }

    /** 12 hex digits: enough to see two texts are equal, useless to read them back. */
    public static String of(String text) {
        return sha256Hex(text).substring(0, 12);
    }

    /** All 64 hex digits of the SHA-256 of the text's UTF-8 bytes. */
    public static String sha256Hex(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
