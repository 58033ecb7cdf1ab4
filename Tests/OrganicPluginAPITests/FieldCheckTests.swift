import OrganicPluginAPI
import Testing

@Suite("Field checks")
struct FieldCheckTests {
    @Test("range errors name the field and the allowed range")
    func range() {
        #expect(throws: RequestValidationError(code: "out_of_range", field: "steps", message: "steps must be between 6 and 12, got 40.")) {
            try FieldCheck.range(40, 6...12, field: "steps")
        }
        #expect(throws: Never.self) { try FieldCheck.range(8, 6...12, field: "steps") }
    }

    @Test("multiples of 64 within a range")
    func multiple() {
        #expect(throws: Never.self) { try FieldCheck.multiple(512, of: 64, in: 512...1344, field: "width") }
        #expect(throws: RequestValidationError.self) { try FieldCheck.multiple(500, of: 64, in: 512...1344, field: "width") }
        #expect(throws: RequestValidationError.self) { try FieldCheck.multiple(1408, of: 64, in: 512...1344, field: "width") }
    }

    @Test("text must be non-blank and bounded")
    func text() {
        #expect(throws: RequestValidationError.self) { try FieldCheck.text("   ", maxLength: 10, field: "prompt") }
        #expect(throws: RequestValidationError.self) { try FieldCheck.text(String(repeating: "a", count: 11), maxLength: 10, field: "prompt") }
        #expect(throws: Never.self) { try FieldCheck.text("", maxLength: 10, field: "negative_prompt", allowEmpty: true) }
    }

    @Test("non-finite numbers are refused")
    func finite() {
        #expect(throws: RequestValidationError.self) { try FieldCheck.finite(.nan, 0...1, field: "x") }
        #expect(throws: RequestValidationError.self) { try FieldCheck.finite(.infinity, 0...1, field: "x") }
    }
}
