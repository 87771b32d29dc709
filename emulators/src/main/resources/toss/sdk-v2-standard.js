/*
 * A stand-in of Toss Payments' browser SDK v2 ("standard", https://js.tosspayments.com/v2/standard), served by the
 * EventMall Toss emulator. Same global API for what EventMall uses:
 *   TossPayments(clientKey).payment({customerKey}).requestPayment({method, amount: {currency, value}, orderId,
 *     orderName, successUrl, failUrl, customerEmail?, customerName?})
 *   TossPayments(clientKey).payment({customerKey}).requestBillingAuth({method, successUrl, failUrl, customerEmail?,
 *     customerName?})
 * Each opens the emulator's payment window (a page of its own, like Toss's redirect mode), which redirects to
 * successUrl with paymentType, orderId, paymentKey, amount (billing auth: customerKey, authKey) or to failUrl with
 * code, message (and orderId).
 */
(function () {
  'use strict';
  var script = document.currentScript;
  var base = script && script.src ? new URL(script.src).origin : '';

  function required(value, name) {
    if (value === undefined || value === null || value === '') {
      throw new Error(name + ' is required');
    }
    return value;
  }

  function open(path, params) {
    var query = new URLSearchParams();
    Object.keys(params).forEach(function (k) {
      if (params[k] !== undefined && params[k] !== null) {
        query.set(k, String(params[k]));
      }
    });
    window.location.assign(base + path + '?' + query.toString());
    // like the real SDK in redirect mode: the page navigates away, the promise never settles
    return new Promise(function () {});
  }

  function TossPayments(clientKey) {
    required(clientKey, 'clientKey');
    return {
      payment: function (options) {
        var customerKey = required(options && options.customerKey, 'customerKey');
        return {
          requestPayment: function (p) {
            required(p, 'payment parameters');
            var amount = required(p.amount, 'amount');
            return open('/window/payment', {
              clientKey: clientKey, customerKey: customerKey, method: required(p.method, 'method'),
              currency: amount.currency || 'KRW', amount: required(amount.value, 'amount.value'),
              orderId: required(p.orderId, 'orderId'), orderName: required(p.orderName, 'orderName'),
              successUrl: required(p.successUrl, 'successUrl'), failUrl: required(p.failUrl, 'failUrl'),
              customerEmail: p.customerEmail, customerName: p.customerName
            });
          },
          requestBillingAuth: function (p) {
            required(p, 'billing auth parameters');
            return open('/window/billing-auth', {
              clientKey: clientKey, customerKey: customerKey, method: required(p.method, 'method'),
              successUrl: required(p.successUrl, 'successUrl'), failUrl: required(p.failUrl, 'failUrl'),
              customerEmail: p.customerEmail, customerName: p.customerName
            });
          }
        };
      }
    };
  }

  TossPayments.ANONYMOUS = '@@ANONYMOUS';
  window.TossPayments = TossPayments;
})();
