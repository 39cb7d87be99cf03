import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { PROVIDER } from "@/test/fixtures";
import { installFetch, jsonResponse } from "@/test/fetchMock";
import { renderApp } from "@/test/renderApp";

const LIST = "GET /api/v1/provider/patients";

const PATIENTS = [
  {
    id: "p-1",
    firstName: "Ana",
    lastName: "Lopez",
    dateOfBirth: "1980-01-01",
    age: 46,
    nextAppointment: "2027-03-09T18:00:00Z",
  },
  { id: "p-2", firstName: "Ben", lastName: "Okafor", dateOfBirth: "2001-12-31", age: 24, nextAppointment: null },
];

describe("PatientsPage", () => {
  it("lists patients with links to their records", async () => {
    installFetch({ [LIST]: () => jsonResponse(200, { items: PATIENTS, page: 1, limit: 25, total: 2 }) });
    renderApp("/provider/patients", PROVIDER);

    const link = await screen.findByRole("link", { name: "Ana Lopez" });
    expect(link).toHaveAttribute("href", "/provider/patients/p-1");
    expect(screen.getByRole("cell", { name: "1 Jan 1980" })).toBeInTheDocument();
    expect(screen.getByRole("cell", { name: "Tue 9 Mar 2027, 1:00 PM EST" })).toBeInTheDocument();
    expect(screen.getByRole("cell", { name: "None booked" })).toBeInTheDocument();
  });

  it("searches once typing pauses", async () => {
    const fetch = installFetch({
      [LIST]: (request) =>
        jsonResponse(200, {
          items: request.search.includes("q=ok") ? [PATIENTS[1]] : PATIENTS,
          page: 1,
          limit: 25,
          total: request.search.includes("q=ok") ? 1 : 2,
        }),
    });
    const user = userEvent.setup();
    renderApp("/provider/patients", PROVIDER);
    await screen.findByRole("link", { name: "Ana Lopez" });

    await user.type(screen.getByRole("searchbox", { name: "Search patients" }), "ok");

    await waitFor(() => {
      expect(screen.queryByRole("link", { name: "Ana Lopez" })).not.toBeInTheDocument();
    });
    expect(screen.getByRole("link", { name: "Ben Okafor" })).toBeInTheDocument();
    const searches = fetch.requestsTo(LIST).map((request) => new URLSearchParams(request.search).get("q"));
    // One request for the empty box and one after the pause, with none for the partial "o".
    expect(searches).toEqual([null, "ok"]);
  });

  it("says when nobody matches", async () => {
    installFetch({ [LIST]: () => jsonResponse(200, { items: [], page: 1, limit: 25, total: 0 }) });
    renderApp("/provider/patients", PROVIDER);

    expect(await screen.findByText(/No patients yet/)).toBeInTheDocument();
  });
});
