#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <ostream>

#include "app/cli_commands.h"
#include "app/commands.h"
#include "app/source_commands.h"
#include "store/secret_box.h"

namespace vigil {
namespace {

// Writes all of `text` to `fd` and flushes it to disk; errno on failure.
int WriteAllAndSync(int fd, const std::string& text) {
  size_t written = 0;
  while (written < text.size()) {
    const ssize_t n = ::write(fd, text.data() + written, text.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno;
    written += static_cast<size_t>(n);
  }
  return ::fsync(fd) == 0 ? 0 : errno;
}

}  // namespace

int RunKeyGenerate(const KeyGenerateCommand& cmd, std::ostream& out, std::ostream& err) {
  if (cmd.out.empty()) {
    err << "vigil: --out: give the path of the key file to create\n";
    return kExitUsage;
  }
  Result<SecretKey> key = SecretKey::Generate();
  if (!key.ok()) {
    err << "vigil: " << key.status().message() << "\n";
    return kExitFailed;
  }
  // O_EXCL: an existing file (or a link planted in its place) is never replaced.
  const int fd =
      ::open(cmd.out.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) {
    const int error = errno;
    if (error == EEXIST) {
      err << "vigil: --out " << cmd.out
          << " exists already; not overwriting a key (secrets sealed with it could no longer be"
             " opened)\n";
    } else {
      err << "vigil: --out " << cmd.out << ": cannot create: " << std::strerror(error) << "\n";
    }
    return kExitFailed;
  }
  std::string text = key->ToKeyFileText();
  int error = ::fchmod(fd, 0600) == 0 ? 0 : errno;  // exactly 0600, whatever the umask
  if (error == 0) error = WriteAllAndSync(fd, text);
  ScrubString(&text);
  if (::close(fd) != 0 && error == 0) error = errno;
  if (error != 0) {
    ::unlink(cmd.out.c_str());
    err << "vigil: --out " << cmd.out << ": cannot write: " << std::strerror(error) << "\n";
    return kExitFailed;
  }
  std::error_code ec;
  const std::filesystem::path absolute = std::filesystem::absolute(cmd.out, ec);
  const std::string shown = ec ? cmd.out : absolute.lexically_normal().string();
  out << "wrote a new secret key to " << cmd.out << " (mode 0600)\n"
      << "use it with: export " << kSecretKeyFileEnv << "=" << shown << "\n"
      << "keep a copy somewhere safe: secrets sealed with a lost key must be added again\n";
  return kExitOk;
}

void AddKeyCommand(CLI::App& app, CommandContext* cli) {
  auto cmd = std::make_shared<KeyGenerateCommand>();
  CLI::App* key =
      app.add_subcommand("key", "manage the secret key that seals data source secrets");
  key->require_subcommand(1);
  key->footer(kSecretKeyFooter);
  CLI::App* c = key->add_subcommand(
      "generate", "write a new random secret key to a file (mode 0600; never overwrites)");
  c->add_option("--out", cmd->out, "the key file to create; must not exist")->required();
  c->footer(kSecretKeyFooter);
  OnRun(c, cmd, cli, RunKeyGenerate);
}

}  // namespace vigil
