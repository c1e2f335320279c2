// The layer order of src/ (README "Layout"): core <- {dynamics, nn} <- {dmft, birth, scansnap} <- plot
// <- repro <- cli. A file may include headers of its own folder and of strictly lower layers only; an
// upward or sideways include (dmft -> plot, plot -> repro, nn -> dynamics, ...) fails this test, which
// runs in the fast suite (`make test`). Each violation is printed as FILE:LINE: the include line.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <string>
#include <unistd.h>
#include <vector>

namespace {

namespace fs = std::filesystem;

const std::map<std::string, int> kRank{{"core", 0},     {"dynamics", 1}, {"nn", 1},    {"dmft", 2}, {"birth", 2},
                                       {"scansnap", 2}, {"plot", 3},     {"repro", 4}, {"cli", 5}};

// Every include of `src` (a tree of layer folders) that points upward or sideways, as "file:line: text".
// A folder that is not a known layer is itself reported (it needs a place in the order).
std::vector<std::string> layer_violations(const fs::path &src) {
    std::vector<std::string> bad;
    const std::regex include_re(R"(^\s*#\s*include\s*"([A-Za-z0-9_]+)/)");
    for (const auto &entry : fs::recursive_directory_iterator(src)) {
        if (!entry.is_regular_file()) continue;
        const auto ext = entry.path().extension();
        if (ext != ".h" && ext != ".cpp" && ext != ".hpp" && ext != ".cc") continue;
        const std::string layer = fs::relative(entry.path(), src).begin()->string();
        const auto own = kRank.find(layer);
        if (own == kRank.end()) {
            bad.push_back(entry.path().string() + ": folder '" + layer + "' has no place in the layer order");
            continue;
        }
        std::ifstream in(entry.path());
        std::string line;
        for (int n = 1; std::getline(in, line); ++n) {
            std::smatch m;
            if (!std::regex_search(line, m, include_re)) continue;
            const std::string target = m[1];
            if (target == layer) continue;
            const auto to = kRank.find(target);
            if (to == kRank.end() || to->second >= own->second)
                bad.push_back(entry.path().string() + ":" + std::to_string(n) + ": " + line);
        }
    }
    return bad;
}

TEST(Layers, SrcIncludesPointDownOnly) {
    const fs::path src = fs::path(TDLAB_SOURCE_DIR) / "src";
    ASSERT_TRUE(fs::is_directory(src / "core")) << src;
    const auto bad = layer_violations(src);
    for (const auto &b : bad) ADD_FAILURE() << "upward or sideways include: " << b;
    EXPECT_TRUE(bad.empty());
}

// The checker itself finds what it must: a tree with one legal include and three illegal ones.
TEST(Layers, CheckerReportsUpwardSidewaysAndUnknown) {
    const fs::path root = fs::temp_directory_path() / ("tdlab_layers_" + std::to_string(::getpid()));
    fs::remove_all(root);
    auto write = [&](const std::string &rel, const std::string &text) {
        fs::create_directories((root / rel).parent_path());
        std::ofstream(root / rel) << text;
    };
    write("core/a.h", "#include <vector>\n");
    write("dmft/ok.cpp", "#include \"core/a.h\"\n#include \"dmft/ok.h\"\n");
    write("dmft/up.cpp", "// a model library drawing\n#include \"plot/figure.h\"\n");
    write("nn/side.cpp", "#include \"dynamics/x.h\"\n");
    write("extra/x.cpp", "\n");
    const auto bad = layer_violations(root);
    fs::remove_all(root);
    ASSERT_EQ(bad.size(), 3u);
    std::string all;
    for (const auto &b : bad) all += b + "\n";
    EXPECT_NE(all.find("up.cpp:2: #include \"plot/figure.h\""), std::string::npos) << all;
    EXPECT_NE(all.find("side.cpp:1:"), std::string::npos) << all;
    EXPECT_NE(all.find("folder 'extra'"), std::string::npos) << all;
}

} // namespace
