package com.replyguard.core;

import com.replyguard.core.ReplyGuard.Admission;
import com.replyguard.core.ReplyGuard.MessageState;
import com.replyguard.core.ReplyGuard.RecentReply;
import com.replyguard.similarity.ChatText;
import com.replyguard.similarity.TextSimilarity;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The reply path's decisions, as pure functions of what the guard returned and the jobs at hand:
 * no Redis, no clock of their own, no side effect. {@link ReplyPipeline} carries them out.
 */
final class GuardDecisions {

    /** A reply of at most this many words ("ok", "haha", "mdr ok") is never taken for a duplicate. */
    static final int SHORT_REPLY_WORDS = 2;
    /** The most messages one reply answers; the rest wait for a follow-up. */
    static final int MAX_MESSAGES_PER_REPLY = 10;
    /** The most characters of user messages one generation is given; the rest wait for a follow-up. */
    static final int MAX_PROMPT_CHARS = 8_000;
    /** Added to a wait so that the record comes back just after what it waits for has ended. */
    static final Duration RETRY_MARGIN = Duration.ofSeconds(1);

    private GuardDecisions() {
    }

    /** How old a committed, unconfirmed reply is when its worker is taken for gone: the longest delivery, plus a margin. */
    static Duration staleAfter(Duration deliveryTimeout) {
        return deliveryTimeout.plus(RETRY_MARGIN);
    }

    // ------------------------------------------------------------------ the batch

    /**
     * The jobs of one match in a batch, each messageId once (SQS's duplicate delivery and the
     * bridge's double enqueue put one message in a batch twice).
     *
     * @param unique  the first job of each messageId, in batch order
     * @param copyOf  for each job, the index in the batch of the first job with its messageId (itself if first)
     */
    record Shape(List<Job> unique, int[] copyOf) {
        List<String> uniqueIds() {
            return unique.stream().map(Job::messageId).toList();
        }
    }

    static Shape shape(List<Job> jobs) {
        Map<String, Integer> first = new HashMap<>();
        List<Job> unique = new ArrayList<>();
        int[] copyOf = new int[jobs.size()];
        for (int i = 0; i < jobs.size(); i++) {
            Integer earlier = first.putIfAbsent(jobs.get(i).messageId(), i);
            copyOf[i] = earlier == null ? i : earlier;
            if (earlier == null) {
                unique.add(jobs.get(i));
            }
        }
        return new Shape(List.copyOf(unique), copyOf);
    }

    // ------------------------------------------------------------------ the flag is ours

    /** What the holder does with one of its batch's jobs. */
    sealed interface HolderStep {
        record AlreadyAnswered() implements HolderStep {
        }

        /** A reply covering it is committed and may be being delivered by another worker now. */
        record WaitForDelivery(Duration retryAfter) implements HolderStep {
        }

        /** A reply covering it was committed long enough ago that its worker is gone: send it again. */
        record Resend(Reply reply) implements HolderStep {
        }

        record Repeat(double similarity) implements HolderStep {
        }

        record Answer() implements HolderStep {
        }
    }

    /** Handed-over messages sorted into those this reply answers, repeats, and those left for a follow-up. */
    record Handovers(List<HandedOverMessage> include, Map<String, Double> repeats, List<HandedOverMessage> deferred) {
    }

    /** @param steps one per job of {@code unique}, in order */
    record HolderPlan(List<HolderStep> steps, Handovers handovers) {
    }

    static HolderPlan asHolder(List<Job> unique, Admission.Granted grant, double questionSimilarity,
                               Duration deliveryTimeout, Instant now) {
        List<String> covered = new ArrayList<>(grant.recentQuestions());
        List<HolderStep> steps = new ArrayList<>();
        int messages = 0;
        int chars = 0;
        for (Job job : unique) {
            MessageState state = grant.states().getOrDefault(job.messageId(), new MessageState.Unanswered());
            switch (state) {
                case MessageState.Answered answered -> steps.add(new HolderStep.AlreadyAnswered());
                case MessageState.Committed committed -> {
                    Duration age = Duration.between(committed.committedAt(), now);
                    Duration stale = staleAfter(deliveryTimeout);
                    steps.add(age.compareTo(stale) >= 0 ? new HolderStep.Resend(committed.reply())
                            : new HolderStep.WaitForDelivery(stale.minus(age).plus(RETRY_MARGIN)));
                    covered.add(job.userMessage());
                }
                case MessageState.Unanswered unanswered -> {
                    double similarity = highest(job.userMessage(), covered);
                    if (similarity >= questionSimilarity) {
                        steps.add(new HolderStep.Repeat(similarity));
                    } else {
                        steps.add(new HolderStep.Answer());
                        messages++;
                        chars += job.userMessage().length();
                    }
                    covered.add(job.userMessage());
                }
            }
        }
        Set<String> inBatch = new HashSet<>();
        unique.forEach(job -> inBatch.add(job.messageId()));
        return new HolderPlan(List.copyOf(steps),
                sortHandovers(grant.handedOver(), inBatch, covered, questionSimilarity, messages, chars));
    }

    /**
     * Sorts handed-over messages, oldest first: a message already in the batch is answered there; a
     * repeat of a covered question is only remembered; the rest are answered while the reply has
     * room ({@value #MAX_MESSAGES_PER_REPLY} messages, {@value #MAX_PROMPT_CHARS} characters; a reply
     * answers at least one), else left for a follow-up.
     *
     * @param covered  questions recently answered or answered by this reply; the included ones are added
     * @param messages messages this reply already answers
     * @param chars    their characters
     */
    static Handovers sortHandovers(List<HandedOverMessage> entries, Set<String> exclude, List<String> covered,
                                   double questionSimilarity, int messages, int chars) {
        List<HandedOverMessage> sorted = new ArrayList<>(entries);
        sorted.sort(Comparator.comparingLong(HandedOverMessage::handedOverAt));
        List<HandedOverMessage> include = new ArrayList<>();
        Map<String, Double> repeats = new LinkedHashMap<>();
        List<HandedOverMessage> deferred = new ArrayList<>();
        Set<String> seen = new HashSet<>(exclude);
        for (HandedOverMessage entry : sorted) {
            if (!seen.add(entry.messageId())) {
                continue;
            }
            double similarity = highest(entry.text(), covered);
            if (similarity >= questionSimilarity) {
                repeats.put(entry.messageId(), similarity);
            } else if (messages == 0
                    || messages < MAX_MESSAGES_PER_REPLY && chars + entry.text().length() <= MAX_PROMPT_CHARS) {
                include.add(entry);
                covered.add(entry.text());
                messages++;
                chars += entry.text().length();
            } else {
                deferred.add(entry);
            }
        }
        return new Handovers(List.copyOf(include), Map.copyOf(repeats), List.copyOf(deferred));
    }

    // ------------------------------------------------------------------ another job holds the flag

    /** What a job does while another job generates for its match. */
    sealed interface JoinStep {
        record AlreadyAnswered() implements JoinStep {
        }

        /**
         * Keep the record on the queue and look again after {@code retryAfter}: its own message is
         * the holder's (a duplicate delivery), or a committed reply covering it is still being delivered.
         */
        record Wait(Duration retryAfter, String why) implements JoinStep {
        }

        /** A repeat of the question in flight, of one handed over, or of one recently answered. */
        record Repeat(double similarity) implements JoinStep {
        }

        record HandOver() implements JoinStep {
        }

        /** {@code COALESCE=false}: skipped, as the original design did. */
        record Skip() implements JoinStep {
        }
    }

    /** @return one step per job of {@code unique}, in order */
    static List<JoinStep> whileHeld(List<Job> unique, Admission.InProgress held, double questionSimilarity,
                                    boolean coalesce) {
        List<String> inFlight = new ArrayList<>();
        inFlight.add(held.holderQuestion());
        Set<String> handedOverIds = new HashSet<>();
        for (HandedOverMessage message : held.handedOver()) {
            handedOverIds.add(message.messageId());
            inFlight.add(message.text());
        }
        inFlight.addAll(held.recentQuestions());
        Duration afterHolder = held.leaseLeft().plus(RETRY_MARGIN);
        List<JoinStep> steps = new ArrayList<>();
        for (Job job : unique) {
            MessageState state = held.states().getOrDefault(job.messageId(), new MessageState.Unanswered());
            if (state instanceof MessageState.Answered) {
                steps.add(new JoinStep.AlreadyAnswered());
            } else if (state instanceof MessageState.Committed) {
                steps.add(new JoinStep.Wait(afterHolder, "a reply covering it is committed, its delivery not yet confirmed"));
            } else if (job.messageId().equals(held.holderMessageId())) {
                steps.add(new JoinStep.Wait(afterHolder, "its own message is being answered by the job holding the flag"));
            } else if (handedOverIds.contains(job.messageId())) {
                // another copy of a message already handed over: not a repeat of itself; hand over again (a no-op) and wait
                steps.add(coalesce ? new JoinStep.HandOver() : new JoinStep.Skip());
            } else {
                double similarity = highest(job.userMessage(), inFlight);
                if (similarity >= questionSimilarity) {
                    steps.add(new JoinStep.Repeat(similarity));
                } else {
                    steps.add(coalesce ? new JoinStep.HandOver() : new JoinStep.Skip());
                    inFlight.add(job.userMessage());
                }
            }
        }
        return List.copyOf(steps);
    }

    // ------------------------------------------------------------------ the duplicate-reply check (level 3)

    sealed interface ReplyCheck {
        record Deliver() implements ReplyCheck {
        }

        /** Like a recent reply to another question: generate once more, told what was said; deliver that. */
        record Regenerate(List<String> alreadySaid, double similarity) implements ReplyCheck {
        }

        /** Like a recent reply to the same question: a re-answer, not sent. */
        record Drop(double similarity) implements ReplyCheck {
        }
    }

    /**
     * Level 3, as corrected: a reply is dropped only when it would answer the same question again —
     * every question it answers is a repeat of one a similar recent reply answered. A reply that
     * resembles a recent one but answers a different question is regenerated once; very short
     * replies are exempt.
     */
    static ReplyCheck checkReply(String text, List<String> questions, List<RecentReply> recent,
                                 double replySimilarity, double questionSimilarity) {
        if (ChatText.words(text).size() <= SHORT_REPLY_WORDS) {
            return new ReplyCheck.Deliver();
        }
        double best = 0;
        List<RecentReply> alike = new ArrayList<>();
        for (RecentReply earlier : recent) {
            double score = TextSimilarity.score(text, earlier.reply());
            if (score >= replySimilarity) {
                alike.add(earlier);
            }
            best = Math.max(best, score);
        }
        if (alike.isEmpty()) {
            return new ReplyCheck.Deliver();
        }
        boolean sameQuestion = !questions.isEmpty() && questions.stream().allMatch(question -> alike.stream()
                .anyMatch(earlier -> highest(question, earlier.questions()) >= questionSimilarity));
        if (sameQuestion) {
            return new ReplyCheck.Drop(best);
        }
        return new ReplyCheck.Regenerate(alike.stream().map(RecentReply::reply).distinct().toList(), best);
    }

    // ------------------------------------------------------------------ Redis unavailable

    /** @param repeats jobs that repeat an earlier job of the batch, with the score */
    record Bypass(List<Job> answer, Map<String, Double> repeats) {
    }

    /** Without Redis, the batch still deduplicates itself: each messageId once, repeats of each other skipped. */
    static Bypass withoutGuard(List<Job> unique, double questionSimilarity) {
        List<Job> answer = new ArrayList<>();
        Map<String, Double> repeats = new LinkedHashMap<>();
        List<String> covered = new ArrayList<>();
        for (Job job : unique) {
            double similarity = highest(job.userMessage(), covered);
            if (similarity >= questionSimilarity) {
                repeats.put(job.messageId(), similarity);
            } else {
                answer.add(job);
                covered.add(job.userMessage());
            }
        }
        return new Bypass(List.copyOf(answer), Map.copyOf(repeats));
    }

    static double highest(String text, List<String> others) {
        double best = 0;
        for (String other : others) {
            best = Math.max(best, TextSimilarity.score(text, other));
        }
        return best;
    }
}
