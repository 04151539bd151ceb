import { unavailableDependency } from '../../adapters/dependencies';
import { POOL_DEFAULTS, poolOptions } from '../../adapters/mongo';

describe('the MongoDB pool', () => {
  test('bounds the commands in flight and the wait for a connection by default', () => {
    expect(poolOptions('mongodb://127.0.0.1:27017/dealflow')).toEqual(POOL_DEFAULTS);
    expect(POOL_DEFAULTS).not.toHaveProperty('socketTimeoutMS');
  });

  test('an option the URL sets wins over the default, whatever its case', () => {
    const options = poolOptions('mongodb://mongo-1:27017,mongo-2:27017/dealflow?replicaSet=rs0&maxpoolsize=100');
    expect(options).not.toHaveProperty('maxPoolSize');
    expect(options).toMatchObject({ waitQueueTimeoutMS: POOL_DEFAULTS.waitQueueTimeoutMS });
  });

  test('a caller that waited too long for a connection is told MongoDB is unavailable (a 503, not a 500)', () => {
    // The driver's WaitQueueTimeoutError is not exported; its name is what the API matches.
    const waited = Object.assign(new Error('Timed out while checking out a connection from connection pool'), { name: 'MongoWaitQueueTimeoutError' });
    expect(unavailableDependency(waited)).toBe('mongo');
  });
});
