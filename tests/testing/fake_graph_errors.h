// Error replies of the fake Graph (testing/fake_graph.h): the bodies Microsoft
// Graph and the Microsoft identity platform send, with fresh request ids.
#pragma once

#include <string>

namespace vigil::testing {

// A reply of the fake Graph: status and JSON body.
struct FakeGraphReply {
  int status = 200;
  std::string body;
};

namespace fake_graph {

// `bytes` random bytes as lowercase hex.
std::string RandomHex(size_t bytes);
// A random GUID, "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx".
std::string Guid();

// Graph's error body: {"error":{"code","message","innerError":{...}}}.
FakeGraphReply GraphError(int status, const std::string& code, const std::string& message);
// The identity platform's error body ("AADSTS<aadsts>: <description> ...").
FakeGraphReply IdentityError(int status, const std::string& error, int aadsts,
                             const std::string& description);
// The body an injected status gets when the fault has none (`token_path`:
// the identity platform's kind).
FakeGraphReply DefaultFaultReply(int status, bool token_path);
FakeGraphReply NotFound(const std::string& path);
FakeGraphReply BadSkipToken();
FakeGraphReply ResyncRequired();

}  // namespace fake_graph
}  // namespace vigil::testing
