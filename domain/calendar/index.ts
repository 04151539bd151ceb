export * from '../../schemas/beijingDate';
export * from './notices';
export * from './statutory';
export * from './types';
export * from './workingDays';
export * from './workingDayRule';
