/** How an order or a service names a specification (TMF ServiceSpecificationRef, as far as lookup goes). */
export interface SpecificationRef {
  id?: string;
  name?: string;
  version?: string;
}

/** Why a reference found no specification, precise enough to fix the order or the catalog. */
export type SpecificationLookupProblem =
  | { kind: 'unknown'; message: string }
  | { kind: 'version'; message: string }
  | { kind: 'ambiguous'; message: string };
