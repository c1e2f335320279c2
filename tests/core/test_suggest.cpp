// "Did you mean": the edit distance by its identities and textbook values, and the suggestion rule.
#include "core/suggest.h"

#include <gtest/gtest.h>

using namespace tdlab;

TEST(Suggest, EditDistanceTextbookValuesAndIdentities) {
    struct Case {
        const char *a, *b;
        size_t d;
    };
    // Levenshtein's classic pairs, plus the adjacent swap that the optimal string alignment counts once
    // (plain Levenshtein counts 2) and the "ca" -> "abc" case where it differs from unrestricted Damerau (2).
    for (const Case &c : {Case{"kitten", "sitting", 3}, Case{"flaw", "lawn", 2}, Case{"", "abc", 3}, Case{"abc", "", 3},
                          Case{"", "", 0}, Case{"sweep", "sweep", 0}, Case{"trian", "train", 1},
                          Case{"dmtf", "dmft", 1}, Case{"ca", "abc", 3}, Case{"--ouput", "--out", 2}}) {
        SCOPED_TRACE(std::string(c.a) + " / " + c.b);
        EXPECT_EQ(edit_distance(c.a, c.b), c.d);
        EXPECT_EQ(edit_distance(c.b, c.a), c.d); // symmetric
    }
    // bounded by the longer length, at least the length difference, triangle inequality
    const char *words[] = {"sweep", "swep", "sweeps", "lyapunov", "lyapnov", "chaos01", "chaos1", "x", ""};
    for (const char *a : words)
        for (const char *b : words) {
            const size_t la = std::string(a).size(), lb = std::string(b).size();
            EXPECT_LE(edit_distance(a, b), std::max(la, lb));
            EXPECT_GE(edit_distance(a, b), la > lb ? la - lb : lb - la);
            for (const char *c : words) EXPECT_LE(edit_distance(a, c), edit_distance(a, b) + edit_distance(b, c));
        }
}

TEST(Suggest, NearestNamesKeepsOnlyTheClosestWithinABudget) {
    const std::vector<std::string> cmds{"run", "sweep", "phase", "spin", "basins", "continuation"};
    EXPECT_EQ(nearest_names("swep", cmds), std::vector<std::string>{"sweep"});
    EXPECT_EQ(nearest_names("spn", cmds), std::vector<std::string>{"spin"});
    EXPECT_TRUE(nearest_names("zzz", cmds).empty());     // budget 1: "run" is 3 away
    EXPECT_TRUE(nearest_names("sweep", cmds).empty());   // the name itself is no suggestion
    EXPECT_TRUE(nearest_names("continu", cmds).empty()); // 5 edits for a 7-letter word: too far
    // ties: all at the smallest distance, in the candidates' order, at most `limit`
    const std::vector<std::string> keys{"min", "max", "mix", "mux"};
    EXPECT_EQ(nearest_names("maX", keys), std::vector<std::string>{"max"});
    EXPECT_EQ(nearest_names("mzx", keys, 2), (std::vector<std::string>{"max", "mix"}));
    EXPECT_EQ(did_you_mean("mzx", {"max", "mix", "mux"}), " did you mean 'max', 'mix' or 'mux'?");
    EXPECT_EQ(did_you_mean("swep", cmds), " did you mean 'sweep'?");
    EXPECT_EQ(did_you_mean("qqqq", cmds), "");
}
