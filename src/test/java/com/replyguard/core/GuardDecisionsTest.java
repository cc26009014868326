package com.replyguard.core;

import com.replyguard.core.GuardDecisions.HolderStep;
import com.replyguard.core.GuardDecisions.JoinStep;
import com.replyguard.core.GuardDecisions.ReplyCheck;
import com.replyguard.core.ReplyGuard.Admission;
import com.replyguard.core.ReplyGuard.MessageState;
import com.replyguard.core.ReplyGuard.RecentReply;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** The reply path's decisions, from what the guard returned, without Redis. */
class GuardDecisionsTest {

    private static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");
    private static final Duration DELIVERY = Duration.ofSeconds(6);

    private static Job job(String messageId, String text) {
        return new Job("m", messageId, "sqs-" + messageId, 1, text, null, List.of(), null);
    }

    private static HandedOverMessage handed(String messageId, String text, long at) {
        return new HandedOverMessage(messageId, text, null, at);
    }

    @Test
    void shouldTellCopiesOfOneMessage_inABatch() {
        GuardDecisions.Shape shape = GuardDecisions.shape(List.of(job("a", "salut"), job("b", "ça va ?"), job("a", "salut")));
        assertThat(shape.uniqueIds()).containsExactly("a", "b");
        assertThat(shape.copyOf()).containsExactly(0, 1, 0);
    }

    @Test
    void shouldSkipRepeats_resendOldCommittedReplies_andWaitForFreshOnes_whenTheFlagIsOurs() {
        Reply old = new Reply("r-old", "m", List.of("c"), "Salut !", NOW.minusSeconds(60));
        Reply fresh = new Reply("r-fresh", "m", List.of("d"), "Coucou", NOW.minusSeconds(1));
        Admission.Granted grant = new Admission.Granted(Map.of(
                "a", new MessageState.Answered(),
                "c", new MessageState.Committed(old, NOW.minusSeconds(60)),
                "d", new MessageState.Committed(fresh, NOW.minusSeconds(1))),
                List.of("tu fais quoi ce soir"), List.of(), List.of());
        List<Job> jobs = List.of(job("a", "salut"), job("b", "Tu fais quoi ce soir ??"), job("c", "hello"),
                job("d", "coucou"), job("e", "tu as un chat ?"), job("f", "tu as un chat ??"));

        GuardDecisions.HolderPlan plan = GuardDecisions.asHolder(jobs, grant, 0.70, DELIVERY, NOW);

        assertThat(plan.steps().get(0)).isInstanceOf(HolderStep.AlreadyAnswered.class);
        assertThat(plan.steps().get(1)).isInstanceOf(HolderStep.Repeat.class);
        assertThat(plan.steps().get(2)).isEqualTo(new HolderStep.Resend(old));
        assertThat(plan.steps().get(3)).isInstanceOfSatisfying(HolderStep.WaitForDelivery.class,
                wait -> assertThat(wait.retryAfter()).as("stale after 6 s + 1 s, 1 s old, + 1 s").isEqualTo(Duration.ofSeconds(7)));
        assertThat(plan.steps().get(4)).isInstanceOf(HolderStep.Answer.class);
        assertThat(plan.steps().get(5)).as("a repeat of a message of the same batch").isInstanceOf(HolderStep.Repeat.class);
    }

    @Test
    void shouldFilterHandedOverMessages_forRepeatsOfRecentQuestions_andCapWhatOneReplyAnswers() {
        List<HandedOverMessage> entries = new ArrayList<>();
        entries.add(handed("r", "Tu fais quoi ce soir ??", 1));
        entries.add(handed("in-batch", "hello", 2));
        for (int i = 0; i < 12; i++) {
            entries.add(handed("h" + i, List.of("tu as un chat", "tu habites où", "tu bosses dans quoi", "tu aimes le ciné",
                    "on se voit samedi", "tu pars en vacances", "tu lis quoi", "tu cuisines", "tu fais du sport",
                    "tu as des frères", "tu aimes la mer", "tu joues de la guitare").get(i), 10 + i));
        }
        GuardDecisions.Handovers sorted = GuardDecisions.sortHandovers(entries, Set.of("in-batch"),
                new ArrayList<>(List.of("tu fais quoi ce soir")), 0.70, 1, 10);

        assertThat(sorted.repeats()).containsOnlyKeys("r");
        assertThat(sorted.include()).hasSize(GuardDecisions.MAX_MESSAGES_PER_REPLY - 1)
                .extracting(HandedOverMessage::messageId).startsWith("h0", "h1");
        assertThat(sorted.deferred()).extracting(HandedOverMessage::messageId).containsExactly("h9", "h10", "h11");
        assertThat(sorted.include()).extracting(HandedOverMessage::messageId).doesNotContain("in-batch");
    }

    @Test
    void shouldAnswerAtLeastOneHandedOverMessage_evenIfItAloneExceedsTheSizeCap() {
        GuardDecisions.Handovers sorted = GuardDecisions.sortHandovers(
                List.of(handed("big", "x".repeat(GuardDecisions.MAX_PROMPT_CHARS + 1), 1)), Set.of(), new ArrayList<>(),
                0.70, 0, 0);
        assertThat(sorted.include()).extracting(HandedOverMessage::messageId).containsExactly("big");
    }

    @Test
    void shouldHandOverANewMessage_waitOnACopyOfTheHoldersOwn_andSkipRepeatsOfAnythingInFlightOrRecent() {
        Admission.InProgress held = new Admission.InProgress("h", Duration.ofSeconds(20), "salut", Map.of(),
                List.of("tu fais quoi ce week end"), List.of(handed("c", "tu as un chat ?", 1)));
        List<Job> jobs = List.of(job("h", "salut"), job("x", "Salut !!"), job("y", "tu as un chat ??"),
                job("z", "Tu fais quoi ce weekend ?"), job("w", "tu habites où ?"), job("v", "tu habites où ??"));

        List<JoinStep> steps = GuardDecisions.whileHeld(jobs, held, 0.70, true);

        assertThat(steps.get(0)).isInstanceOfSatisfying(JoinStep.Wait.class,
                wait -> assertThat(wait.retryAfter()).isEqualTo(Duration.ofSeconds(21)));
        assertThat(steps.get(1)).as("repeat of the holder's question").isInstanceOf(JoinStep.Repeat.class);
        assertThat(steps.get(2)).as("repeat of a handed-over one").isInstanceOf(JoinStep.Repeat.class);
        assertThat(steps.get(3)).as("repeat of a recently answered one").isInstanceOf(JoinStep.Repeat.class);
        assertThat(steps.get(4)).isInstanceOf(JoinStep.HandOver.class);
        assertThat(steps.get(5)).as("repeat of one handed over just before in this batch").isInstanceOf(JoinStep.Repeat.class);
        assertThat(GuardDecisions.whileHeld(List.of(job("w", "tu habites où ?")), held, 0.70, false).getFirst())
                .as("COALESCE=false").isInstanceOf(JoinStep.Skip.class);
        assertThat(GuardDecisions.whileHeld(List.of(job("c", "tu as un chat ?")), held, 0.70, true).getFirst())
                .as("a second copy of a message already handed over is not a repeat of itself")
                .isInstanceOf(JoinStep.HandOver.class);
    }

    @Test
    void shouldDropOnlyAReAnswerOfTheSameQuestion_regenerateForAnotherOne_andLetShortRepliesThrough() {
        List<RecentReply> recent = List.of(new RecentReply("je bosse en marketing a lyon", List.of("tu bosses dans quoi")));

        assertThat(GuardDecisions.checkReply("Je bosse en marketing, à Lyon", List.of("Tu bosses dans quoi ??"), recent, 0.80, 0.70))
                .isInstanceOf(ReplyCheck.Drop.class);
        assertThat(GuardDecisions.checkReply("Je bosse en marketing, à Lyon", List.of("tu habites où ?"), recent, 0.80, 0.70))
                .isInstanceOfSatisfying(ReplyCheck.Regenerate.class,
                        again -> assertThat(again.alreadySaid()).containsExactly("je bosse en marketing a lyon"));
        assertThat(GuardDecisions.checkReply("Je bosse en marketing, à Lyon",
                List.of("Tu bosses dans quoi ??", "tu habites où ?"), recent, 0.80, 0.70))
                .as("a reply covering a new question too is not a re-answer").isInstanceOf(ReplyCheck.Regenerate.class);
        assertThat(GuardDecisions.checkReply("Trop bien", List.of("tu habites où ?"), recent, 0.80, 0.70))
                .isInstanceOf(ReplyCheck.Deliver.class);
        List<RecentReply> haha = List.of(new RecentReply("haha", List.of("ca va")));
        assertThat(GuardDecisions.checkReply("Haha", List.of("ça va ?"), haha, 0.80, 0.70))
                .as("a very short reply is exempt").isInstanceOf(ReplyCheck.Deliver.class);
    }

    @Test
    void shouldAnswerABatchOnce_withoutRedis_eachMessageIdOnceAndRepeatsOfEachOtherSkipped() {
        List<Job> unique = GuardDecisions.shape(List.of(job("a", "tu fais quoi ce soir ?"), job("a", "tu fais quoi ce soir ?"),
                job("b", "Tu fais quoi ce soir ??"), job("c", "tu as un chat ?"))).unique();

        GuardDecisions.Bypass plan = GuardDecisions.withoutGuard(unique, 0.70);

        assertThat(plan.answer()).extracting(Job::messageId).containsExactly("a", "c");
        assertThat(plan.repeats()).containsOnlyKeys("b");
    }
}
