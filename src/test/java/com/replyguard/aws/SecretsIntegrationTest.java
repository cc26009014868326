package com.replyguard.aws;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import com.replyguard.config.AwsSettings;
import com.replyguard.testing.LocalAws;
import com.replyguard.testing.SecretsManagerWire;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

import java.net.URI;
import java.util.Map;

import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static com.replyguard.testing.SecretsManagerWire.ARN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** GetSecretValue through the production client setup, against a local server speaking Secrets Manager's JSON 1.1. */
class SecretsIntegrationTest {

    @RegisterExtension
    static WireMockExtension secretsManager = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

    private static final String URL = "rediss://default:Upst4shPa55@eu1-keen-cat-1234.upstash.io:6379";

    private AwsClients aws;
    private SecretsManagerClient client;

    @BeforeAll
    static void credentials() {
        LocalAws.useDummyCredentials();
    }

    @BeforeEach
    void client() {
        aws = new AwsClients(new AwsSettings(LocalAws.REGION,
                Map.of(AwsSettings.SECRETS_MANAGER, URI.create(secretsManager.baseUrl())), null));
        client = aws.secretsManager();
    }

    @AfterEach
    void close() {
        client.close();
        aws.close();
    }

    @Test
    void shouldReturnTheSecretString_withASignedJson11Request_whenTheSecretIsPlainText() throws Exception {
        secretsManager.stubFor(SecretsManagerWire.getSecretValue(ARN).willReturn(SecretsManagerWire.secretString(ARN, URL)));

        assertThat(new Secrets(client).read("REDIS_URL_SECRET_ARN", ARN, "REDIS_URL")).isEqualTo(URL);

        LoggedRequest request = secretsManager.findAll(anyRequestedFor(anyUrl())).getFirst();
        assertThat(request.getHeader("Content-Type")).isEqualTo("application/x-amz-json-1.1");
        assertThat(request.getHeader("Authorization")).startsWith("AWS4-HMAC-SHA256 Credential=AKIDLOCALTEST/")
                .contains("/eu-west-3/secretsmanager/aws4_request");
        assertThat(new ObjectMapper().readTree(request.getBodyAsString()).get("SecretId").asText()).isEqualTo(ARN);
    }

    @Test
    void shouldReadTheNamedKey_whenTheSecretIsAKeyValueJsonObject() {
        secretsManager.stubFor(SecretsManagerWire.getSecretValue(ARN).willReturn(
                SecretsManagerWire.secretString(ARN, "{\"other\":\"x\",\"REDIS_URL\":\"" + URL + "\"}")));

        assertThat(new Secrets(client).read("REDIS_URL_SECRET_ARN", ARN, "REDIS_URL", "url")).isEqualTo(URL);
    }

    @Test
    void shouldNameTheVariableAndTheAwsError_butNotTheValue_whenTheSecretCannotBeRead() {
        secretsManager.stubFor(SecretsManagerWire.getSecretValue(ARN).willReturn(
                SecretsManagerWire.error(400, "ResourceNotFoundException", "Secrets Manager can't find the specified secret.")));

        assertThatThrownBy(() -> new Secrets(client).read("REDIS_URL_SECRET_ARN", ARN, "REDIS_URL"))
                .isInstanceOf(Secrets.SecretException.class)
                .hasMessage("could not read the secret named by REDIS_URL_SECRET_ARN: ResourceNotFoundException (HTTP 400)");
    }

    @Test
    void shouldFail_withoutRetrying_whenAccessIsDenied() {
        secretsManager.stubFor(SecretsManagerWire.getSecretValue(ARN).willReturn(
                SecretsManagerWire.error(400, "AccessDeniedException", "User is not authorized")));

        assertThatThrownBy(() -> new Secrets(client).read("OPENAI_API_KEY_SECRET_ARN", ARN, "OPENAI_API_KEY"))
                .hasMessage("could not read the secret named by OPENAI_API_KEY_SECRET_ARN: AccessDeniedException (HTTP 400)");
        assertThat(secretsManager.findAll(anyRequestedFor(anyUrl()))).hasSize(1);
    }

    @Test
    void shouldRefuseAJsonSecret_withoutTheKey_namingTheKeysButNoValue() {
        secretsManager.stubFor(SecretsManagerWire.getSecretValue(ARN).willReturn(
                SecretsManagerWire.secretString(ARN, "{\"password\":\"Upst4shPa55\"}")));

        assertThatThrownBy(() -> new Secrets(client).read("REDIS_URL_SECRET_ARN", ARN, "REDIS_URL", "url"))
                .hasMessage("the secret named by REDIS_URL_SECRET_ARN is a JSON object without any of the keys REDIS_URL, url")
                .hasMessageNotContaining("Upst4shPa55");
    }
}
