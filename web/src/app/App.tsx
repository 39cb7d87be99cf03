import { QueryClientProvider, type QueryClient } from "@tanstack/react-query";
import { RouterProvider, type createBrowserRouter } from "react-router";
import { SessionKeeper } from "@/app/SessionKeeper";

interface AppProps {
  queryClient: QueryClient;
  router: ReturnType<typeof createBrowserRouter>;
}

/** Root component: data cache, session upkeep and routes. */
export function App({ queryClient, router }: AppProps) {
  return (
    <QueryClientProvider client={queryClient}>
      <SessionKeeper />
      <RouterProvider router={router} />
    </QueryClientProvider>
  );
}
