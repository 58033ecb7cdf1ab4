// The runtime re-exports the plugin API so that node builders need one import.
@_exported public import OrganicPluginAPI
@_exported public import OrganicCrypto
