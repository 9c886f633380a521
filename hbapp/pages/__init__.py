"""The pages, one folder per side, one module per page (each with its own substate of
`hbapp.state.AppState`): `client/` (clients and the people acting for them), `worker/` (case
workers), `provider/` (providers' staff), `admin/` (the organizer's administrators) and `public/`
(everyone, signed in or not). Sides share only `hbapp.components`."""

SIDES = ("client", "worker", "provider", "admin", "public")
