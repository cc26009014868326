package com.replyguard.similarity;

import org.apache.commons.text.similarity.LevenshteinDistance;

import java.text.Normalizer;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * How much two chat messages say the same thing, from 0 (unrelated) to 1 (the same message).
 *
 * <p>Built for one question: is the second message the first one re-sent, or a new message that
 * must be answered? A plain character ratio fails that question: "tu aimes les chats ?" and
 * "tu aimes les chiens ?" share most of their letters, and skipping the second loses a real
 * message. So the score works on words ({@link ChatText}) and treats them unequally:
 * <ol>
 *   <li>Words are paired exactly, then a word with two adjacent words of the other message
 *       ("weekend" / "week-end"), then content words of five or more letters that differ by one
 *       edit ("hiking" / "hikng"), or by a plural ending ("chat" / "chats"), as typos.</li>
 *   <li>Paired words score their weights: a content word 1, a function word ("tu", "les", "the") or a
 *       filler ("haha", "mdr", "lol") 0.25. A function word or filler left unpaired costs 0.5.
 *       The base score is paired / (paired + unpaired cost).</li>
 *   <li>Each content word that one message has and the other lacks halves the score: a different
 *       day, place, food, a negation ("pas", "not") or an added detail is a different message.</li>
 * </ol>
 * So a message re-sent with other case, accents, punctuation, apostrophes, emoji, a filler or a
 * typo scores 0.8–1.0, and a different question scores at most 0.5, whatever its length.
 * Two messages with no words (emoji only) score 1 when their text is equal, else 0.
 * Cost is bounded by {@link ChatText}'s limits: at most 64 × 64 word comparisons.
 */
public final class TextSimilarity {

    static final double FUNCTION_WORD_WEIGHT = 0.25;
    static final double UNPAIRED_FUNCTION_WORD_COST = 0.5;
    static final double PENALTY_PER_UNPAIRED_CONTENT_WORD = 0.5;
    private static final int MIN_TYPO_LENGTH = 5;

    private static final LevenshteinDistance ONE_EDIT = new LevenshteinDistance(1);

    /**
     * Words that carry no question of their own, accent-free. Question words (quoi, ou, quand, what,
     * where…) and negations (pas, jamais, not, never) are deliberately absent: they change the question.
     */
    private static final Set<String> FUNCTION_WORDS = Set.of(
            // French
            "je", "j", "tu", "t", "il", "elle", "on", "nous", "vous", "ils", "elles", "me", "m", "te", "se", "s",
            "moi", "toi", "lui", "le", "la", "l", "les", "un", "une", "des", "du", "de", "d", "a", "au", "aux",
            "en", "et", "mais", "donc", "car", "ce", "c", "cet", "cette", "ces", "ca", "cela", "mon", "ma", "mes",
            "ton", "ta", "tes", "son", "sa", "ses", "notre", "votre", "nos", "vos", "leur", "leurs", "y", "est",
            "es", "suis", "sont", "etes", "sommes", "ai", "as", "avons", "avez", "ont", "qu", "que", "ne", "n",
            "pour", "par", "sur", "dans", "avec", "alors", "bien", "tres", "trop", "vraiment", "aussi", "deja",
            "stp", "svp",
            // English
            "i", "you", "u", "he", "she", "it", "we", "they", "my", "your", "his", "her", "its", "our", "their",
            "an", "the", "and", "or", "but", "so", "to", "of", "in", "at", "for", "with", "is", "are", "am",
            "was", "were", "be", "been", "do", "does", "did", "have", "has", "had", "that", "this", "these",
            "those", "there", "re", "ve", "ll", "just", "really", "too", "also", "please", "pls");

    private static final Pattern FILLER = Pattern.compile(
            "(?:a?ha)+h?|(?:hi)+|(?:he)+h?|l+o+l+|(?:mdr)+|(?:ptdr)+|x+d+|a+h+|o+h+|e+u+h+|h+m+|o+k+|okay|oki"
                    + "|bah|ben|bref|wow|oups|oops");

    private TextSimilarity() {
    }

    public static double score(String a, String b) {
        List<String> left = ChatText.words(a);
        List<String> right = ChatText.words(b);
        if (left.isEmpty() || right.isEmpty()) {
            return left.isEmpty() && right.isEmpty() && sameText(a, b) ? 1.0 : 0.0;
        }
        if (left.equals(right)) {
            return 1.0;
        }
        boolean[] leftPaired = new boolean[left.size()];
        boolean[] rightPaired = new boolean[right.size()];
        double paired = 0;
        // exact pairs first, then words split or joined by a hyphen or space, then typos
        for (int i = 0; i < left.size(); i++) {
            int j = indexOfUnpaired(right, rightPaired, left.get(i));
            if (j >= 0) {
                leftPaired[i] = rightPaired[j] = true;
                paired += 2 * weight(left.get(i));
            }
        }
        paired += pairCompounds(left, leftPaired, right, rightPaired);
        paired += pairCompounds(right, rightPaired, left, leftPaired);
        for (int i = 0; i < left.size(); i++) {
            String word = left.get(i);
            if (leftPaired[i] || isFunctionWord(word)) {
                continue;
            }
            for (int j = 0; j < right.size(); j++) {
                String candidate = right.get(j);
                if (!rightPaired[j] && !isFunctionWord(candidate) && isTypoOf(word, candidate)) {
                    leftPaired[i] = rightPaired[j] = true;
                    paired += 2;
                    break;
                }
            }
        }
        Unpaired unpaired = Unpaired.of(left, leftPaired).plus(Unpaired.of(right, rightPaired));
        double base = paired == 0 ? 0 : paired / (paired + unpaired.functionWordCost());
        return base * Math.pow(PENALTY_PER_UNPAIRED_CONTENT_WORD, unpaired.contentWords());
    }

    /** The words one side could not pair: function words cost a little, content words halve the score. */
    private record Unpaired(double functionWordCost, int contentWords) {
        static Unpaired of(List<String> words, boolean[] paired) {
            double cost = 0;
            int content = 0;
            for (int i = 0; i < words.size(); i++) {
                if (!paired[i]) {
                    if (isFunctionWord(words.get(i))) {
                        cost += UNPAIRED_FUNCTION_WORD_COST;
                    } else {
                        content++;
                    }
                }
            }
            return new Unpaired(cost, content);
        }

        Unpaired plus(Unpaired other) {
            return new Unpaired(functionWordCost + other.functionWordCost, contentWords + other.contentWords);
        }
    }

    private static int indexOfUnpaired(List<String> words, boolean[] paired, String word) {
        for (int j = 0; j < words.size(); j++) {
            if (!paired[j] && words.get(j).equals(word)) {
                return j;
            }
        }
        return -1;
    }

    /** Pairs a word of one side with two adjacent words of the other ("weekend" / "week-end"). */
    private static double pairCompounds(List<String> joined, boolean[] joinedPaired,
                                        List<String> split, boolean[] splitPaired) {
        double paired = 0;
        for (int i = 0; i < joined.size(); i++) {
            if (joinedPaired[i]) {
                continue;
            }
            for (int j = 0; j + 1 < split.size(); j++) {
                if (!splitPaired[j] && !splitPaired[j + 1]
                        && joined.get(i).equals(split.get(j) + split.get(j + 1))) {
                    joinedPaired[i] = splitPaired[j] = splitPaired[j + 1] = true;
                    paired += 2;
                    break;
                }
            }
        }
        return paired;
    }

    private static double weight(String word) {
        return isFunctionWord(word) ? FUNCTION_WORD_WEIGHT : 1.0;
    }

    static boolean isFunctionWord(String word) {
        return FUNCTION_WORDS.contains(word) || FILLER.matcher(word).matches();
    }

    private static boolean isTypoOf(String a, String b) {
        if (isPlural(a, b) || isPlural(b, a)) {
            return true;
        }
        return Math.min(a.length(), b.length()) >= MIN_TYPO_LENGTH && ONE_EDIT.apply(a, b) != -1;
    }

    private static boolean isPlural(String plural, String singular) {
        return plural.length() == singular.length() + 1 && plural.startsWith(singular)
                && (plural.endsWith("s") || plural.endsWith("x"));
    }

    private static boolean sameText(String a, String b) {
        return a != null && b != null && Normalizer.normalize(a.strip(), Normalizer.Form.NFC)
                .equals(Normalizer.normalize(b.strip(), Normalizer.Form.NFC));
    }
}
