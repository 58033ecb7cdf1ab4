extension AxonSynapse {
    /// The wire form of a plugin's ``SynapseDescription``: its hash fields in order, the ones
    /// declared `float` in Python hashed as floats.
    package init(_ description: SynapseDescription, pythonUnicode: PythonStr.UnicodeVersion = .python311) {
        let floats = Set(description.floatFields)
        self.init(name: description.name,
                  hashFields: description.requiredHashFields.map { HashField($0, numbers: floats.contains($0) ? .floats : .asParsed) },
                  pythonUnicode: pythonUnicode)
    }
}
