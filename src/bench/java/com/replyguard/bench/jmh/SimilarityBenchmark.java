package com.replyguard.bench.jmh;

import com.replyguard.bench.sim.baseline.OriginalDesignWorker;
import com.replyguard.similarity.TextSimilarity;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * The cost of one similarity score, the check the pipeline runs in Java against each recent
 * question or reply: reply-guard's word-based {@link TextSimilarity} and, for reference, the
 * original design's plain character ratio. "short": a chat message re-sent with changes; "long": a
 * 1,500-character message re-sent with changes (TextSimilarity reads at most 2,000 characters).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class SimilarityBenchmark {

    @Param({"short", "long"})
    public String length;

    private String a;
    private String b;

    @Setup
    public void texts() {
        if (length.equals("short")) {
            a = "tu fais quoi ce soir ?";
            b = "Tu fais quoi ce soir ?? 😊";
        } else {
            String paragraph = "Alors pour te répondre, je bosse dans le marketing depuis cinq ans, dans une agence "
                    + "à Lyon, et j'aime bien parce que chaque projet est différent. Le week-end je pars souvent "
                    + "randonner dans le Vercors ou en Chartreuse avec des amis, et le soir je lis pas mal de polars. ";
            StringBuilder text = new StringBuilder();
            while (text.length() < 1_500) {
                text.append(paragraph);
            }
            a = text.substring(0, 1_500);
            b = a.toUpperCase().replace("'", "’").replace(",", "") + " 🙂";
        }
    }

    @Benchmark
    public double textSimilarity() {
        return TextSimilarity.score(a, b);
    }

    @Benchmark
    public double plainRatioOfTheOriginalDesign() {
        return OriginalDesignWorker.plainRatio(a, b);
    }
}
