package com.replyguard.bench.sim;

import java.util.List;

/** Hand-made traffic for checking the figures. */
final class TrafficFixture {

    private TrafficFixture() {
    }

    static Traffic of(Traffic.Conversation a, Traffic.Conversation b, List<Traffic.Unit> units) {
        return Traffic.of(List.of(a, b), units);
    }
}
