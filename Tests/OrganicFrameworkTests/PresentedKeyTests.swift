@testable import OrganicFramework
import Testing

/// How the key a caller presents is read from its headers (before any lookup).
@Suite("Presented API key")
struct PresentedKeyTests {
    @Test("Bearer in any case, blanks around the key ignored; X-API-Key when there is no Authorization")
    func readsTheKey() {
        #expect(KeyAuthenticator.presentedKey(authorization: "Bearer org_live_abc", apiKeyHeader: nil) == "org_live_abc")
        #expect(KeyAuthenticator.presentedKey(authorization: "bEaReR org_live_abc", apiKeyHeader: nil) == "org_live_abc")
        #expect(KeyAuthenticator.presentedKey(authorization: " \tBearer   org_live_abc \t", apiKeyHeader: nil) == "org_live_abc")
        #expect(KeyAuthenticator.presentedKey(authorization: nil, apiKeyHeader: "  org_live_xyz ") == "org_live_xyz")
        #expect(KeyAuthenticator.presentedKey(authorization: "Bearer org_live_abc", apiKeyHeader: "org_live_xyz") == "org_live_abc",
                "Authorization wins")
        #expect(KeyAuthenticator.presentedKey(authorization: nil, apiKeyHeader: nil) == nil)
        #expect(KeyAuthenticator.presentedKey(authorization: "Bearer é", apiKeyHeader: nil) == "é")
    }

    @Test("another scheme, a missing key or no space after Bearer present an empty key (401 malformed)")
    func refusesOtherForms() {
        for value in ["Basic b3JnOmtleQ==", "Bearer", "Bearer ", "Bearer    ", "Bearerorg_live_abc", "Bearer\torg_live_abc", "Bearer\u{0}org", "", "bearer\u{0}x"] {
            #expect(KeyAuthenticator.presentedKey(authorization: value, apiKeyHeader: nil) == "", "\(value.debugDescription)")
        }
    }
}
