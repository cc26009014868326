package com.replyguard.fleet;

import com.replyguard.fleet.FleetSettings.Fault;
import com.replyguard.fleet.FleetSettings.Mode;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** The fleet's checker on hand-made deliveries for a seeded traffic: what counts as lost, doubled, answered. */
class CheckerTest {

    // seed 4: fleet-4-m8-5 is a reworded re-send of fleet-4-m8-4
    private final Traffic traffic = Traffic.draw(4, 12, 20);
    private final FleetSettings settings = new FleetSettings(Mode.REPLY_GUARD, 4, Fault.set("none"), 3, 12, 20);

    @Test
    void shouldCountAMessageAnswered_whenTheReplyAnswersTheReSendTheUserTypedLater() {
        assertThat(traffic.messages()).anySatisfy(m -> {
            assertThat(m.messageId()).isEqualTo("fleet-4-m8-5");
            assertThat(m.repeatOf()).isEqualTo("fleet-4-m8-4");
        });

        FleetResult result = judge(answerEachOnceExcept(Set.of("fleet-4-m8-4")));

        assertThat(result.lost()).isZero();
        assertThat(result.verdicts()).filteredOn(v -> v.message().messageId().equals("fleet-4-m8-4"))
                .extracting(Checker.Verdict::verdict).containsExactly("answered by the reply to its repeat");
    }

    @Test
    void shouldCountAMessageLost_whenNeitherItNorItsReSendIsAnswered() {
        FleetResult result = judge(answerEachOnceExcept(Set.of("fleet-4-m8-4", "fleet-4-m8-5")));

        assertThat(result.lost()).isEqualTo(1);
    }

    @Test
    void shouldCountAMessageDoubled_whenTwoDistinctRepliesAnswerIt_butNotAReplySentAgain() {
        List<Receiver.Delivery> seen = answerEachOnceExcept(Set.of());
        Receiver.Delivery first = seen.getFirst();
        seen.add(new Receiver.Delivery(first.atMs() + 1, "c1", first.replyId(), first.matchId(), first.inReplyTo()));
        assertThat(judge(seen).doubled()).as("the same replyId again is one reply").isZero();

        seen.add(new Receiver.Delivery(first.atMs() + 2, "c2", "another-reply", first.matchId(), first.inReplyTo()));
        assertThat(judge(seen).doubled()).isEqualTo(first.inReplyTo().size());
    }

    /** One reply per message that is not a repeat, and one for each repeat, except for the messages left out. */
    private List<Receiver.Delivery> answerEachOnceExcept(Set<String> unanswered) {
        List<Receiver.Delivery> seen = new ArrayList<>();
        for (Traffic.Message m : traffic.messages()) {
            if (!unanswered.contains(m.messageId())) {
                seen.add(new Receiver.Delivery(m.sentAtMs() + 500, "c0", "reply-" + m.messageId(), m.matchId(),
                        List.of(m.messageId())));
            }
        }
        return seen;
    }

    private FleetResult judge(List<Receiver.Delivery> seen) {
        return Checker.judge(settings, traffic, Map.of(), seen, List.of(), List.of(), List.of(), List.of(), 0, 0, 0, 30_000);
    }
}
