import Hummingbird

/// `GET /admin/payments?limit=100`: payments from providers (credited or refused), newest first,
/// behind the admin token like `/admin/keys`.
enum PaymentAdminRoutes {
    static func add(to group: RouterGroup<OrganicRequestContext>, keys: KeyManager?) {
        group.get { request, _ in
            try await KeyAdminRoutes.manager(keys).payments(limit: request.uri.queryParameters.get("limit", as: Int.self) ?? 100)
        }
    }
}
