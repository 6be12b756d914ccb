// cmake/embed_web.cmake run as the build runs it, on web/ directories made
// up for the purpose: hashed names, rewritten references (longer names that
// start alike, chains, cycles), the files it leaves out, the ones it refuses
// with a message naming them, and an output that stays the same for the
// same files.
#include <gtest/gtest.h>
#include <sodium.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <string>

#include "testing/fixtures.h"

namespace vigil {
namespace {

namespace fs = std::filesystem;

std::string Read(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string Sha256Prefix(const std::string& bytes, size_t hex_digits) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
  static const char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned char b : digest) {
    hex += kHex[b >> 4];
    hex += kHex[b & 15];
  }
  return hex.substr(0, hex_digits);
}

struct TableRow {
  std::string name;
  std::string content_type;
  size_t gzip_bytes = 0;
};

// One run of the script on a web/ directory of `files` (name -> bytes).
class Embedding {
 public:
  explicit Embedding(const std::map<std::string, std::string>& files)
      : dir_(testing::NewTempDir()) {
    for (const auto& [name, bytes] : files) {
      const fs::path path = dir_ / "web" / name;
      fs::create_directories(path.parent_path());
      std::ofstream(path, std::ios::binary) << bytes;
    }
    fs::create_directories(dir_ / "web");
  }

  // Runs the script; its exit status (0: success).
  int Run() {
    const std::string command =
        std::string(VIGIL_CMAKE_COMMAND) + " -DWEB_DIR=" + (dir_ / "web").string() +
        " -DSTAGING_DIR=" + (dir_ / "staging").string() + " -DOUTPUT=" + output().string() +
        " -P " + VIGIL_EMBED_WEB_SCRIPT + " >" + (dir_ / "log").string() + " 2>&1";
    const int status = std::system(command.c_str());
    log_ = Read(dir_ / "log");
    return status;
  }

  const std::string& log() const { return log_; }
  fs::path output() const { return dir_ / "assets.cc"; }
  std::string source() const { return Read(output()); }
  // The bytes served for `name` (its plain name), as the script staged them.
  std::string Served(const std::string& name) const { return Read(dir_ / "staging" / name); }

  // The generated table, by plain name.
  std::map<std::string, TableRow> Table() const {
    std::map<std::string, TableRow> rows;
    const std::string text = source();
    const std::regex row(
        "\\{\"([^\"]+)\", \"([^\"]+)\", \"([^\"]+)\", [^\\n]*\\n[^\\n]*\\n"
        "\\s*std::string_view\\(kGzip[0-9]+, ([0-9]+)\\)\\}");
    for (auto it = std::sregex_iterator(text.begin(), text.end(), row);
         it != std::sregex_iterator(); ++it) {
      rows[(*it)[2]] = {(*it)[1], (*it)[3], std::stoul((*it)[4])};
    }
    return rows;
  }

 private:
  fs::path dir_;
  std::string log_;
};

// The hashed name the script must give `name` served as `bytes`.
std::string HashedName(const std::string& name, const std::string& bytes) {
  const size_t dot = name.rfind('.');
  return name.substr(0, dot) + "." + Sha256Prefix(bytes, 8) + name.substr(dot);
}

TEST(EmbedWebTest, NamesAreHashesOfTheServedBytesAndReferencesUseThem) {
  Embedding e({{"index.html",
                "<script src=\"/assets/app.js\"></script><link href=\"/assets/style.css\">"
                "<link rel=manifest href='/assets/app.json'>"},
               {"app.js", "fetch('/assets/app.json'); // see /assets/app.js."},
               {"app.json", "{\"name\": \"vigil\"}"},
               {"style.css", "body { background: url(/assets/logo.svg); }"},
               {"logo.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\"/>"}});
  ASSERT_EQ(e.Run(), 0) << e.log();
  const auto table = e.Table();
  ASSERT_EQ(table.size(), 5u) << e.source();
  for (const char* name : {"app.js", "app.json", "style.css", "logo.svg"}) {
    EXPECT_EQ(table.at(name).name, HashedName(name, e.Served(name))) << name;
  }
  EXPECT_EQ(table.at("index.html").name, "index.html");
  // app.js and app.json start alike; each reference gets its own name, and
  // the sentence's full stop is no part of one.
  EXPECT_EQ(e.Served("index.html"),
            "<script src=\"/assets/" + table.at("app.js").name +
                "\"></script><link href=\"/assets/" + table.at("style.css").name +
                "\"><link rel=manifest href='/assets/" + table.at("app.json").name + "'>");
  EXPECT_EQ(e.Served("app.js"),
            "fetch('/assets/" + table.at("app.json").name + "'); // see /assets/" + "app.js.");
  // A chain: the style sheet names the image's hash, and its own hash covers that.
  EXPECT_EQ(e.Served("style.css"),
            "body { background: url(/assets/" + table.at("logo.svg").name + "); }");
  EXPECT_EQ(table.at("logo.svg").content_type, "image/svg+xml");
  EXPECT_EQ(table.at("app.json").content_type, "application/json");
  EXPECT_EQ(table.at("app.js").content_type, "text/javascript; charset=utf-8");
}

TEST(EmbedWebTest, ACycleOfReferencesKeepsThePlainNamesWithAWarning) {
  Embedding e({{"index.html", "<script src=\"/assets/a.js\"></script>"},
               {"a.js", "import '/assets/b.js';"},
               {"b.js", "import '/assets/a.js';"}});
  ASSERT_EQ(e.Run(), 0) << e.log();
  EXPECT_NE(e.log().find("a.js, b.js refer to each other in a cycle"), std::string::npos)
      << e.log();
  EXPECT_EQ(e.Served("a.js"), "import '/assets/b.js';");
  const auto table = e.Table();
  EXPECT_EQ(e.Served("index.html"),
            "<script src=\"/assets/" + table.at("a.js").name + "\"></script>");
}

TEST(EmbedWebTest, EditorFilesAreLeftOut) {
  Embedding e({{"index.html", "<title>vigil</title>"},
               {".app.js.swp", "junk"},
               {"app.js~", "junk"},
               {"#app.js#", "junk"},
               {"app.js", "1;"}});
  ASSERT_EQ(e.Run(), 0) << e.log();
  const auto table = e.Table();
  EXPECT_EQ(table.size(), 2u) << e.source();
  EXPECT_TRUE(table.count("app.js"));
}

TEST(EmbedWebTest, FilesGzipDoesNotShrinkHaveNoGzipBytes) {
  std::string noise;
  uint32_t x = 12345;
  for (int i = 0; i < 4096; ++i) {
    x = x * 1103515245u + 12345u;
    noise += static_cast<char>(x >> 24);
  }
  Embedding e({{"index.html", std::string(2000, 'a')}, {"noise.png", noise}});
  ASSERT_EQ(e.Run(), 0) << e.log();
  const auto table = e.Table();
  EXPECT_EQ(table.at("noise.png").gzip_bytes, 0u);
  EXPECT_EQ(table.at("noise.png").content_type, "image/png");
  EXPECT_GT(table.at("index.html").gzip_bytes, 0u);
  EXPECT_LT(table.at("index.html").gzip_bytes, 100u);
}

TEST(EmbedWebTest, RefusesWhatItCannotServeNamingTheFile) {
  struct Case {
    std::map<std::string, std::string> files;
    std::string message;
  };
  const Case cases[] = {
      {{{"index.html", "x"}, {"notes.xyz", "x"}}, "web/notes.xyz: unknown file type '.xyz'"},
      {{{"index.html", "x"}, {"img/logo.svg", "x"}}, "web/img/logo.svg: the console's files live"},
      {{{"app.js", "x"}}, "web/index.html is missing"},
      {{{"index.html", "<script src=\"/assets/gone.js\"></script>"}},
       "web/index.html refers to /assets/gone.js, which is no file under web/"},
      {{{"index.html", "x"}, {"bad name.js", "x"}}, "web/bad name.js: a file name of letters"},
  };
  for (const Case& c : cases) {
    Embedding e(c.files);
    EXPECT_NE(e.Run(), 0) << c.message;
    EXPECT_NE(e.log().find(c.message), std::string::npos) << e.log();
    EXPECT_FALSE(fs::exists(e.output())) << c.message;
  }
}

TEST(EmbedWebTest, TheSameFilesGiveTheSameSourceLeftUntouched) {
  Embedding e({{"index.html", "<script src=\"/assets/app.js\"></script>" + std::string(500, ' ')},
               {"app.js", std::string(3000, 'x')}});
  ASSERT_EQ(e.Run(), 0) << e.log();
  const std::string first = e.source();
  const auto long_ago = fs::file_time_type::clock::now() - std::chrono::hours(24);
  fs::last_write_time(e.output(), long_ago);
  ASSERT_EQ(e.Run(), 0) << e.log();
  EXPECT_EQ(e.source(), first);
  EXPECT_EQ(fs::last_write_time(e.output()), long_ago) << "rewritten: everything would recompile";
}

}  // namespace
}  // namespace vigil
