package com.replyguard.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A self-signed server certificate for 127.0.0.1 / localhost, made by the test run itself with the
 * JDK's {@code keytool} (no openssl needed on the machine), written as the PEM files Redis wants.
 * The certificate doubles as the CA file the worker is told to trust ({@code REDIS_TLS_CA_FILE}).
 */
public record TlsFiles(Path certificate, Path privateKey) {

    private static TlsFiles shared;

    /** One certificate for the whole test run (keytool takes a second or two). */
    public static synchronized TlsFiles shared() {
        if (shared == null) {
            shared = create();
        }
        return shared;
    }

    private static TlsFiles create() {
        try {
            Path dir = Files.createTempDirectory("redis-tls-");
            Path keystore = dir.resolve("server.p12");
            char[] pass = "changeit".toCharArray();
            Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
            Process process = new ProcessBuilder(List.of(keytool.toString(), "-genkeypair", "-alias", "redis",
                    "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost",
                    "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-validity", "2",
                    "-keystore", keystore.toString(), "-storetype", "PKCS12", "-storepass", new String(pass)))
                    .redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException("keytool failed: " + output);
            }
            KeyStore store = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(keystore)) {
                store.load(in, pass);
            }
            Key key = store.getKey("redis", pass);
            Certificate certificate = store.getCertificate("redis");
            Path certFile = dir.resolve("server.crt");
            Path keyFile = dir.resolve("server.key");
            Files.writeString(certFile, pem("CERTIFICATE", certificate.getEncoded()));
            Files.writeString(keyFile, pem("PRIVATE KEY", key.getEncoded())); // PKCS#8
            for (Path path : List.of(dir, keystore, certFile, keyFile)) {
                path.toFile().deleteOnExit(); // deleted in reverse order: the files, then the directory
            }
            return new TlsFiles(certFile, keyFile);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(der) + "\n-----END " + type + "-----\n";
    }
}
