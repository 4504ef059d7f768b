/**
 * The application that holds the operator's operational webhook endpoints and the operational
 * events sent to them (migration OperationalApplication1796409846652). The pipeline delivers its
 * messages like any other; the tenant API never shows it, and nothing about its own deliveries is
 * reported as an operational event (that would loop).
 */
export const OPERATIONAL_APPLICATION_ID = '00000000-0000-4000-8000-000000000000';

export const isOperationalApplication = (applicationId: string): boolean => applicationId === OPERATIONAL_APPLICATION_ID;
